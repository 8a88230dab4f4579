// Fjord inside your own CAF actor system. Before constructing the caf::actor_system:
//
//   caf::actor_system_config cfg;
//   fjord::add_message_types(cfg);   // every message Fjord's actors exchange, its error category
//   fjord::add_networking(cfg);      // only for a JobManager, TaskManager or client on a network
//   caf::actor_system sys{cfg};
//   fjord::local_cluster cluster{sys};  // fjord/local_cluster.hpp
#pragma once

#include <caf/fwd.hpp>

namespace fjord {

/// Registers every message type Fjord's actors exchange (locally and across the middleman) and
/// the "fjord" error category (fjord/errc.hpp) on `cfg`. Call it once, before the actor system
/// is built from `cfg`.
void add_message_types(caf::actor_system_config& cfg);

/// Loads CAF's middleman and sets the heartbeat Fjord's failure detection relies on (100 ms
/// heartbeats, a peer silent for 1 s is lost). Needed by processes that talk to other processes.
void add_networking(caf::actor_system_config& cfg);

}  // namespace fjord
