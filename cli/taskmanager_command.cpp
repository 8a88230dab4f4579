// `fjord taskmanager -c CONF [--slots N]`: a TaskManager process. It finds the leader through
// leader retrieval, registers its slots, runs tasks, and follows every leader change
// (cancelling the old leader's tasks and registering anew). Runs until SIGINT/SIGTERM.
// The data path keys (taskmanager.network.*) are read by library/task_manager_service.cpp.
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

struct taskmanager_options {
  std::string config_path;
  std::vector<std::string> defines;
  int slots = 2;
  std::string id;
  std::string log_level = "info";
};

int run_taskmanager(const taskmanager_options& opt) {
  spdlog::set_level(spdlog::level::from_str(opt.log_level));
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [taskmanager] %v");
  if (opt.slots < 1) {
    std::fprintf(stderr, "fjord taskmanager: --slots must be at least 1, got %d\n", opt.slots);
    return 2;
  }
  block_termination_signals();
  configuration config;
  std::unique_ptr<runtime_config> cfg;
  try {
    config = load_configuration(opt.config_path, opt.defines);
    cfg = std::make_unique<runtime_config>(config);  // security.ssl.* checked here
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord taskmanager: %s\n", e.what());
    return 2;
  }
  caf::actor_system sys{*cfg};
  std::unique_ptr<task_manager_service> tm;
  try {
    tm = std::make_unique<task_manager_service>(sys, config, opt.slots, opt.id);
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord taskmanager: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord taskmanager: %s\n", e.what());
    return 1;
  }
  on_termination_signal([&tm](int sig) {
    spdlog::info("signal {}: stopping", sig);
    tm->stop();
  });
  tm->await_stop();
  return 0;
}

}  // namespace

void add_taskmanager_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<taskmanager_options>();
  auto cmd = app.add_subcommand("taskmanager", "Run a TaskManager process");
  cmd->add_option("-c,--config", opt->config_path, "Configuration file (flat YAML keys)");
  cmd->add_option("-D", opt->defines, "Configuration override key=value (repeatable)");
  cmd->add_option("--slots", opt->slots, "Task slots offered (default 2)");
  cmd->add_option("--id", opt->id, "Name of this TaskManager (default tm-<pid>)");
  cmd->add_option("--log-level", opt->log_level, "trace|debug|info|warn|error (default info)")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cmd->callback([opt, &exit_code] { exit_code = run_taskmanager(*opt); });
}

}  // namespace fjord
