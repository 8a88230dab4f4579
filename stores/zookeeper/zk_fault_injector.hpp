// A fault-injecting decorator for fjord::zk::client, for tests of the stores and of leader
// election. An injected fault is a connection_loss:
//   - before: the call is not passed on (nothing happened, the caller cannot know that);
//   - after:  the call is passed on and applied, then connection_loss is thrown (the write
//             happened but the caller thinks it may not have: the case that loses data).
// Faults come from a seeded std::mt19937_64 with a probability, or from a deterministic plan
// ("fail the 3rd set, after it was applied"). Every injected fault is recorded.
//
// Thread-safe (one mutex for the plan, the counters and the record); the wrapped client's
// calls run outside that mutex.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk {

/// The operations that can fail; the counters are kept per kind.
enum class call_kind {
  create,
  create_recursive,
  get,
  set,
  remove,
  remove_recursive,
  exists,
  children,
  multi,
};

const char* to_string(call_kind k);

enum class fault_timing { before, after };

const char* to_string(fault_timing t);

struct injected_fault {
  call_kind kind;
  std::uint64_t call_number;  ///< 1-based, per kind
  fault_timing timing;
  std::string path;
  error_code code = error_code::connection_loss;  ///< what the failing call threw
};

class fault_injecting_zk_client : public client {
 public:
  explicit fault_injecting_zk_client(client_ptr inner, std::uint64_t seed = 1);

  /// Random faults: each operation fails with `probability` (0..1); a failing one fails after
  /// the call with probability `after_share`, else before.
  void set_fault_probability(double probability, double after_share = 0.5);
  /// Deterministic: call number `nth` (1-based, counted per kind since construction) of
  /// `kind` fails with `timing`. Several entries may be planned.
  /// `code` is what the call throws (random faults: always connection_loss).
  void fail_call(call_kind kind, std::uint64_t nth, fault_timing timing,
                 error_code code = error_code::connection_loss);
  /// Shorthand: the next call of `kind` fails.
  void fail_next(call_kind kind, fault_timing timing,
                 error_code code = error_code::connection_loss);
  /// Removes the plan and sets the probability to 0.
  void clear_faults();

  /// How many calls of `kind` were made so far (faulted ones included).
  std::uint64_t calls(call_kind kind) const;
  std::vector<injected_fault> injected() const;
  const client_ptr& inner() const { return inner_; }

  std::string create(const std::string& path, const std::string& data,
                     create_mode mode) override;
  void create_recursive(const std::string& path) override;
  std::optional<get_result> get(const std::string& path, watch_callback watch = {}) override;
  node_stat set(const std::string& path, const std::string& data, std::int32_t version) override;
  void remove(const std::string& path, std::int32_t version = -1) override;
  void remove_recursive(const std::string& path) override;
  std::optional<node_stat> exists(const std::string& path, watch_callback watch = {}) override;
  children_result children(const std::string& path, watch_callback watch = {}) override;
  std::vector<op_result> multi(const std::vector<op>& ops) override;
  void set_connection_listener(connection_listener listener) override;
  std::int64_t session_id() const override;
  std::int64_t session_timeout_ms() const override;
  connection_state state() const override;
  void close() override;

 private:
  /// Counts the call and decides whether (and when) it fails.
  std::optional<injected_fault> decide(call_kind kind, const std::string& path);
  /// Runs `f` through the wrapped client with the decided fault, if any.
  template <class F>
  auto run(call_kind kind, const std::string& path, F&& f) -> decltype(f());

  client_ptr inner_;
  mutable std::mutex mutex_;
  std::mt19937_64 random_;
  double probability_ = 0.0;
  double after_share_ = 0.5;
  std::map<std::pair<call_kind, std::uint64_t>, std::pair<fault_timing, error_code>> plan_;
  std::map<call_kind, std::uint64_t> counts_;
  std::vector<injected_fault> injected_;
};

}  // namespace fjord::zk
