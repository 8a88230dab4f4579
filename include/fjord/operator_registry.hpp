// The operator registry: operator names used in job specs -> factories. Built-ins are added by
// register_builtin_operators(); users add their own with operator_registry::add() before
// submitting (see examples/operators/).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fjord/record.hpp>
#include <fjord/operator.hpp>

namespace fjord {

enum class operator_role { source, transform, sink };

const char* to_string(operator_role r);

/// Maps a record to the key a hash edge partitions by.
using key_selector = std::function<std::uint64_t(const record&)>;

struct operator_descriptor {
  std::string name;
  operator_role role = operator_role::transform;
  std::string description;  ///< one line, shown by `fjord operators`
  /// Checks the parameters; throws spec_error naming the field. May be empty.
  std::function<void(const operator_params&)> validate;
  /// Creates a fresh instance (one per subtask and attempt).
  std::function<std::unique_ptr<operator_base>()> create;
  /// The key of records arriving over a hash edge; empty: hash of the whole record.
  std::function<key_selector(const operator_params&)> make_key_selector;
  /// Parameters that name a file or directory. A cluster client makes relative ones absolute
  /// (against its working directory) before submitting, so they mean what they mean for
  /// `fjord run`, not something relative to each TaskManager's working directory.
  std::vector<std::string> path_params;
  /// The operator blocks its thread (file reads and writes, fsync): its tasks run detached, each
  /// on its own thread, as Flink gives every task one, so a slow disk never stalls the shared
  /// scheduler — the JobManager, the other tasks of an embedded cluster, the TaskManager.
  bool blocking = false;
};

/// Not synchronized: add() operators before jobs start; find() from any thread afterwards.
class operator_registry {
 public:
  /// The process-wide registry, with the built-ins already registered (initialized once,
  /// safely, on the first call from any thread).
  static operator_registry& global();

  /// Adds or replaces an operator.
  void add(operator_descriptor d);
  const operator_descriptor* find(const std::string& name) const;
  std::vector<std::string> names() const;

  /// The key selector for records sent to `op` over a hash edge (never empty).
  key_selector key_selector_for(const std::string& op, const operator_params& params) const;

 private:
  std::map<std::string, operator_descriptor> operators_;
};

/// The default key of a record: a hash of its number, its text, or both.
std::uint64_t default_record_key(const record& r);

void register_builtin_operators(operator_registry& registry);

}  // namespace fjord
