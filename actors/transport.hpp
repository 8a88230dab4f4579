// Which transport a process's connections use: TLS (CAF's openssl module) when the actor system
// was built with security.ssl.enabled (fjord::add_networking(cfg, config)), plain TCP otherwise.
// Every port Fjord opens and every connection it makes goes through here, so that no path opens
// a plain port or connection in a TLS cluster.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>

namespace fjord {

class configuration;

/// True if `sys` runs CAF's openssl module: then every connection is mutual TLS.
bool uses_tls(caf::actor_system& sys);

/// The middleman actor to send connect_atom / open_atom to (non-blocking connects from actors).
caf::io::middleman_actor transport_actor(caf::actor_system& sys);

/// Throws config_error if `config` asks for TLS and `sys` was built without it (a system made
/// by hand, without fjord::add_networking(cfg, config)), so nothing silently runs in the clear.
void check_transport(caf::actor_system& sys, const configuration& config);

/// Publishes `whom` on host:port over the process's transport; the bound port.
template <class Handle>
caf::expected<std::uint16_t> publish_on(const Handle& whom, std::uint16_t port,
                                        const std::string& host) {
  auto& sys = whom.home_system();
  if (uses_tls(sys))
    return caf::openssl::publish(whom, port, host.c_str(), true);
  return sys.middleman().publish(whom, port, host.c_str(), true);
}

/// Opens host:port for peers to connect to, with no actor published (TaskManager data links).
caf::expected<std::uint16_t> open_port(caf::actor_system& sys, std::uint16_t port,
                                       const std::string& host);

/// The actor published at host:port, connected over the process's transport (blocking).
template <class Handle>
caf::expected<Handle> connect_remote(caf::actor_system& sys, const std::string& host,
                                     std::uint16_t port) {
  if (uses_tls(sys))
    return caf::openssl::remote_actor<Handle>(sys, host, port);
  return sys.middleman().remote_actor<Handle>(host, port);
}

/// Logs, once per process, that the cluster runs without TLS and what that means.
void warn_if_plaintext(caf::actor_system& sys, const std::string& what);

}  // namespace fjord
