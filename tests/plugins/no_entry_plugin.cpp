// A test library with an operator but no FJORD_PLUGIN entry point: not a plugin.
#include <cstdint>
#include <memory>
#include <string>

#include <fjord/operator_registry.hpp>
#include <fjord/typed_operator.hpp>

namespace {

class identity : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value); }
  std::string snapshot(std::int64_t) override { return {}; }
};

}  // namespace

// Looks like a registration function, but nothing tells the loader about it.
extern "C" void register_operators(fjord::operator_registry& registry) {
  fjord::operator_descriptor d;
  d.name = "plugin_test_identity";
  d.create = [] { return std::make_unique<identity>(); };
  registry.add(std::move(d));
}
