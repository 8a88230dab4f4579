// A test plugin whose registration function adds no operator.
#include <fjord/plugin.hpp>

FJORD_PLUGIN(registry) {}
