// A test plugin that registers an operator under the name of a built-in one ("sequence").
#include <cstdint>
#include <memory>
#include <string>

#include <fjord/operator_registry.hpp>
#include <fjord/plugin.hpp>
#include <fjord/typed_operator.hpp>

namespace {

class not_a_sequence : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value); }
  std::string snapshot(std::int64_t) override { return {}; }
};

}  // namespace

FJORD_PLUGIN(registry) {
  fjord::operator_descriptor d;
  d.name = "plugin_test_fine";
  d.create = [] { return std::make_unique<not_a_sequence>(); };
  registry.add(d);
  d.name = "sequence";
  registry.add(std::move(d));
}
