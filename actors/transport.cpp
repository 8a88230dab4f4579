#include "actors/transport.hpp"

#include <atomic>

#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "fjord/configuration.hpp"

namespace fjord {

bool uses_tls(caf::actor_system& sys) {
  return sys.has_openssl_manager();
}

caf::io::middleman_actor transport_actor(caf::actor_system& sys) {
  if (uses_tls(sys))
    return sys.openssl_manager().actor_handle();
  return sys.middleman().actor_handle();
}

void check_transport(caf::actor_system& sys, const configuration& config) {
  if (config.get_bool("security.ssl.enabled", false) && !uses_tls(sys))
    throw config_error("security.ssl.enabled: the actor system was built without TLS (build its "
                       "config with fjord::add_networking(cfg, config))");
}

caf::expected<std::uint16_t> open_port(caf::actor_system& sys, std::uint16_t port,
                                       const std::string& host) {
  if (!uses_tls(sys))
    return sys.middleman().open(port, host.c_str(), true);
  caf::scoped_actor self{sys};
  caf::expected<std::uint16_t> result{caf::sec::runtime_error};
  self->request(transport_actor(sys), caf::infinite, caf::open_atom::value, port, host, true)
    .receive([&](std::uint16_t bound) { result = bound; },
             [&](caf::error& e) { result = std::move(e); });
  return result;
}

void warn_if_plaintext(caf::actor_system& sys, const std::string& what) {
  static std::atomic<bool> warned{false};
  if (uses_tls(sys) || warned.exchange(true))
    return;
  spdlog::warn("security.ssl.enabled is false: {} accepts anyone who reaches its port, and its "
               "connections are unencrypted (SECURITY.md)",
               what);
}

}  // namespace fjord
