// fjord::job_manager_service (include/fjord/cluster_services.hpp): what `fjord jobmanager`
// runs, in any actor system.
#include <fjord/cluster_services.hpp>

#include <stdexcept>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/job_manager.hpp"
#include "actors/job_manager_endpoint.hpp"
#include "actors/transport.hpp"
#include "library/cluster_support.hpp"
#include "messages/atoms.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

struct job_manager_service::impl {
  caf::actor_system& sys;
  job_manager_actor job_manager;
  std::string address;
};

job_manager_service::job_manager_service(caf::actor_system& sys, const configuration& config) {
  config.check_keys();
  check_transport(sys, config);
  auto host = config.get_string("jobmanager.host", "127.0.0.1");
  int port = 0;
  if (recovery_mode_of(config) == recovery_mode::standalone) {
    auto fixed = parse_address("jobmanager.address",
                               config.get_required("jobmanager.address",
                                                   "standalone mode needs the JobManager's "
                                                   "fixed host:port"));
    host = fixed.host;
    port = fixed.port;
  } else {
    port = static_cast<int>(config.get_int("jobmanager.port", 0));
    if (port < 0 || port > 65535)
      throw config_error("jobmanager.port: expected 0 to 65535, got " + std::to_string(port));
  }
  job_manager_options options;
  options.job.slot_wait_ms =
    config.get_duration("jobmanager.slot-wait", std::chrono::milliseconds{options.job.slot_wait_ms})
      .count();
  if (options.job.slot_wait_ms <= 0)
    throw config_error("jobmanager.slot-wait: must be longer than 0, got "
                       + config.get_string("jobmanager.slot-wait", ""));
  options.limits = job_limits_from(config);
  if (options.limits.roots.unrestricted())
    spdlog::warn("taskmanager.file-roots is not set: jobs may read and write any file this "
                 "JobManager's user can");
  ha_services services;
  try {
    services = make_ha_services(config);
  } catch (const config_error&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"cannot start high availability services: "}
                             + e.what());
  }
  options.wait_for_address = true;
  auto jm = spawn_job_manager(sys, std::move(services), options);
  // Only the public protocol is reachable from the network (actors/job_manager_endpoint.hpp).
  auto endpoint = spawn_job_manager_endpoint(sys, jm);
  // jobmanager.host is what clients and TaskManagers are told (/leader); jobmanager.bind-host
  // what it listens on (default: the same; 0.0.0.0 for every interface).
  auto bind = config.get_string("jobmanager.bind-host", host);
  auto published = publish_on(endpoint, static_cast<std::uint16_t>(port), bind);
  if (!published) {
    caf::anon_send_exit(jm, caf::exit_reason::user_shutdown);
    throw std::runtime_error("jobmanager.bind-host: cannot listen on " + bind + ":"
                             + std::to_string(port) + ": " + sys.render(published.error()));
  }
  impl_ = std::make_unique<impl>(impl{sys, jm, host + ":" + std::to_string(*published)});
  spdlog::info("job manager listening on {} (pid {}, {})", impl_->address,
               static_cast<int>(getpid()), uses_tls(sys) ? "mutual TLS" : "plain TCP");
  warn_if_plaintext(sys, "this JobManager (" + bind + ":" + std::to_string(*published) + ")");
  caf::anon_send(jm, start_atom::value, impl_->address);
}

job_manager_service::~job_manager_service() {
  stop();
}

const std::string& job_manager_service::address() const {
  return impl_->address;
}

void job_manager_service::stop() {
  caf::anon_send_exit(impl_->job_manager, caf::exit_reason::user_shutdown);
}

std::string job_manager_service::await_stop() {
  caf::scoped_actor self{impl_->sys};
  self->monitor(impl_->job_manager);
  std::string why;
  self->receive([&](caf::down_msg& dm) {
    if (dm.reason && dm.reason != caf::exit_reason::user_shutdown)
      why = describe(dm.reason);
  });
  return why;
}

}  // namespace fjord
