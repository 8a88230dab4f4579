// The CAF actor-system configuration of every Fjord process: registers every message type that
// may cross the middleman (an unregistered type fails only at run time, and only across the
// network, so tests/actors/message_roundtrip_test.cpp sends each one through a real connection)
// and turns middleman heartbeats on so a frozen peer is detected.
#pragma once

#include <caf/actor_system_config.hpp>

namespace fjord {

class configuration;

class runtime_config : public caf::actor_system_config {
 public:
  /// `with_middleman`: load CAF's network layer (cluster processes, round-trip tests).
  explicit runtime_config(bool with_middleman = false);

  /// A JobManager, TaskManager or client: the network layer, with mutual TLS if
  /// security.ssl.enabled (actors/tls_settings.hpp; throws config_error for bad TLS settings).
  explicit runtime_config(const configuration& config);
};

}  // namespace fjord
