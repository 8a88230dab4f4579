// The same "square" operator as an operator plugin: `fjord submit job.json --plugin
// libsquare_plugin.so` ships it with the job to a cluster whose processes never saw it.
#include <fjord/plugin.hpp>

#include "square.hpp"

FJORD_PLUGIN(registry) {
  user::register_operators(registry);
}
