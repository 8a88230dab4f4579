// A test plugin whose registration function throws.
#include <stdexcept>

#include <fjord/operator_registry.hpp>
#include <fjord/plugin.hpp>

FJORD_PLUGIN(registry) {
  fjord::operator_descriptor d;
  d.name = "plugin_test_never_registered";
  registry.add(std::move(d));
  throw std::runtime_error("the plugin's settings file is missing");
}
