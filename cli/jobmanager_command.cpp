// `fjord jobmanager -c CONF`: a JobManager process. It contends for leadership, publishes its
// job manager actor through the middleman (on an OS-chosen port in zookeeper mode, on the port
// of jobmanager.address in standalone mode), writes its address and session into ZooKeeper's
// /leader when elected, and runs until SIGINT/SIGTERM. An orderly stop keeps all HA data.
#include <cstdio>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/job_manager.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "cli/cluster_support.hpp"
#include "cli/commands.hpp"
#include "messages/atoms.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

namespace {

struct jobmanager_options {
  std::string config_path;
  std::vector<std::string> defines;
  std::string log_level = "info";
};

int run_jobmanager(const jobmanager_options& opt) {
  spdlog::set_level(spdlog::level::from_str(opt.log_level));
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [jobmanager] %v");
  block_termination_signals();
  configuration config;
  ha_services services;
  std::string host;
  int port = 0;
  job_manager_options jm_opts;
  try {
    config = load_configuration(opt.config_path, opt.defines);
    host = config.get_string("jobmanager.host", "127.0.0.1");
    if (recovery_mode_of(config) == recovery_mode::standalone) {
      auto fixed = parse_address("jobmanager.address",
                                 config.get_required("jobmanager.address",
                                                     "standalone mode needs the JobManager's "
                                                     "fixed host:port"));
      host = fixed.host;
      port = fixed.port;
    } else {
      port = static_cast<int>(config.get_int("jobmanager.port", 0));
    }
    jm_opts.job.slot_wait_ms =
      config.get_duration("jobmanager.slot-wait", std::chrono::milliseconds{jm_opts.job.slot_wait_ms})
        .count();
    if (jm_opts.job.slot_wait_ms <= 0)
      throw config_error("jobmanager.slot-wait: must be longer than 0, got "
                         + config.get_string("jobmanager.slot-wait", ""));
    services = make_ha_services(config);
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord jobmanager: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord jobmanager: cannot start high availability services: %s\n",
                 e.what());
    return 1;
  }
  runtime_config cfg{true};
  caf::actor_system sys{cfg};
  jm_opts.wait_for_address = true;
  auto jm = spawn_job_manager(sys, std::move(services), jm_opts);
  // Only the public protocol is reachable from the network (actors/job_manager_endpoint.hpp).
  auto endpoint = spawn_job_manager_endpoint(sys, jm);
  auto published = sys.middleman().publish(endpoint, static_cast<std::uint16_t>(port),
                                           host.c_str(), true);
  if (!published) {
    std::fprintf(stderr, "fjord jobmanager: cannot listen on %s:%d: %s\n", host.c_str(), port,
                 sys.render(published.error()).c_str());
    caf::anon_send_exit(jm, caf::exit_reason::user_shutdown);
    return 1;
  }
  auto address = host + ":" + std::to_string(*published);
  spdlog::info("job manager listening on {} (pid {})", address, static_cast<int>(getpid()));
  caf::anon_send(jm, start_atom::value, address);
  on_termination_signal([jm](int sig) {
    spdlog::info("signal {}: stopping (HA data is kept)", sig);
    caf::anon_send_exit(jm, caf::exit_reason::user_shutdown);
  });
  caf::scoped_actor self{sys};
  self->monitor(jm);
  int rc = 0;
  self->receive([&](caf::down_msg& dm) {
    if (dm.reason && dm.reason != caf::exit_reason::user_shutdown) {
      spdlog::critical("job manager stopped: {}", describe(dm.reason));
      rc = 1;
    }
  });
  return rc;
}

}  // namespace

void add_jobmanager_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<jobmanager_options>();
  auto cmd = app.add_subcommand("jobmanager", "Run a JobManager process (HA with ZooKeeper)");
  cmd->add_option("-c,--config", opt->config_path, "Configuration file (flat YAML keys)");
  cmd->add_option("-D", opt->defines, "Configuration override key=value (repeatable)");
  cmd->add_option("--log-level", opt->log_level, "trace|debug|info|warn|error (default info)")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cmd->callback([opt, &exit_code] { exit_code = run_jobmanager(*opt); });
}

}  // namespace fjord
