// Fjord inside your own CAF actor system. Before constructing the caf::actor_system:
//
//   caf::actor_system_config cfg;
//   fjord::add_message_types(cfg);   // every message Fjord's actors exchange, its error category
//   fjord::add_networking(cfg, config);  // only for a JobManager, TaskManager or client on a
//                                        // network; mutual TLS if config says security.ssl.*
//   caf::actor_system sys{cfg};
//   fjord::local_cluster cluster{sys};  // fjord/local_cluster.hpp
#pragma once

#include <caf/fwd.hpp>

namespace fjord {

class configuration;

/// Registers every message type Fjord's actors exchange (locally and across the middleman) and
/// the "fjord" error category (fjord/errc.hpp) on `cfg`. Call it once, before the actor system
/// is built from `cfg`.
void add_message_types(caf::actor_system_config& cfg);

/// Loads CAF's middleman and sets the heartbeat Fjord's failure detection relies on (100 ms
/// heartbeats, a peer silent for 1 s is lost). Needed by processes that talk to other processes.
void add_networking(caf::actor_system_config& cfg);

/// add_networking(cfg), and mutual TLS through CAF's openssl module if `config` has
/// security.ssl.enabled: true (the certificate, key and CA are checked here; throws config_error
/// naming the key for a bad one). Fjord's services refuse to start on a system built without TLS
/// when their configuration asks for it.
void add_networking(caf::actor_system_config& cfg, const configuration& config);

}  // namespace fjord
