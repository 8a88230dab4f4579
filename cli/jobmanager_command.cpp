// `fjord jobmanager -c CONF`: a JobManager process. It contends for leadership, publishes its
// job manager actor through the middleman (on an OS-chosen port in zookeeper mode, on the port
// of jobmanager.address in standalone mode), writes its address and session into ZooKeeper's
// /leader when elected, and runs until SIGINT/SIGTERM. An orderly stop keeps all HA data.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <fjord/cluster_services.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime_config.hpp"
#include "cli/commands.hpp"
#include "library/cluster_support.hpp"

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
  std::unique_ptr<runtime_config> cfg;
  try {
    config = load_configuration(opt.config_path, opt.defines);
    cfg = std::make_unique<runtime_config>(config);  // security.ssl.* checked here
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord jobmanager: %s\n", e.what());
    return 2;
  }
  caf::actor_system sys{*cfg};
  std::unique_ptr<job_manager_service> jm;
  try {
    jm = std::make_unique<job_manager_service>(sys, config);
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord jobmanager: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord jobmanager: %s\n", e.what());
    return 1;
  }
  on_termination_signal([&jm](int sig) {
    spdlog::info("signal {}: stopping (HA data is kept)", sig);
    jm->stop();
  });
  auto why = jm->await_stop();
  if (!why.empty()) {
    spdlog::critical("job manager stopped: {}", why);
    return 1;
  }
  return 0;
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
