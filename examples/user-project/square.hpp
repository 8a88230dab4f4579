// The user's operator: squares every number. Stateless, so its snapshot is empty.
#pragma once

#include <cstdint>
#include <memory>

#include <fjord/operator_registry.hpp>
#include <fjord/typed_operator.hpp>

namespace user {

class square : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value * value); }
  std::string snapshot(std::int64_t) override { return {}; }
  void restore(const std::string&, std::int64_t) override {}
};

inline void register_operators(fjord::operator_registry& registry) {
  fjord::operator_descriptor d;
  d.name = "square";
  d.role = fjord::operator_role::transform;
  d.description = "squares every number";
  d.validate = [](const fjord::operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<square>(); };
  registry.add(std::move(d));
}

}  // namespace user
