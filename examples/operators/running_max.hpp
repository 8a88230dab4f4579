// An example of a user-defined operator written with typed_operator: "running_max" emits, for
// every number it receives, the largest number seen so far by its subtask. Register it before
// parsing a spec that names it:
//
//   fjord::register_running_max(fjord::operator_registry::global());
//   // spec: {"id": "max", "operator": "running_max", "parallelism": 2}
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

#include "fjord/operator_registry.hpp"
#include "fjord/typed_operator.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

class running_max : public typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override {
    max_ = std::max(max_, value);
    out.emit(max_);
  }

  std::string snapshot(std::int64_t) override { return to_bytes(max_); }

  void restore(const std::string& bytes, std::int64_t) override {
    max_ = from_bytes<std::int64_t>(bytes);
  }

 private:
  std::int64_t max_ = std::numeric_limits<std::int64_t>::min();
};

inline void register_running_max(operator_registry& registry) {
  operator_descriptor d;
  d.name = "running_max";
  d.role = operator_role::transform;
  d.description = "the largest number seen so far (example of a typed operator)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<running_max>(); };
  registry.add(std::move(d));
}

}  // namespace fjord
