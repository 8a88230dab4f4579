// `fjord taskmanager -c CONF [--slots N]`: a TaskManager process. It finds the leader through
// leader retrieval, registers its slots, runs tasks, and follows every leader change
// (cancelling the old leader's tasks and registering anew). Runs until SIGINT/SIGTERM.
// Data path keys (integers >= 1): taskmanager.network.batch-size (records per batch, default
// 4096), taskmanager.network.credits (batches in flight per input channel, default 4) and
// taskmanager.network.max-pending-batches (per output channel before a task stops producing,
// default 2).
#include <cstdio>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "actors/task_manager.hpp"
#include "cli/cluster_support.hpp"
#include "cli/commands.hpp"
#include "messages/atoms.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

namespace {

struct taskmanager_options {
  std::string config_path;
  std::vector<std::string> defines;
  int slots = 2;
  std::string id;
  std::string log_level = "info";
};

/// `taskmanager.network.*`: the data path between tasks (actors/task.hpp). Throws config_error
/// naming the key for a bad value.
task_options network_options(const configuration& config) {
  task_options t;
  // Batches of 4096 records, not 512 as embedded: between TaskManager processes the cost is per
  // message (BASP framing, wake-ups, the credit back); it cut the CPU per record of the
  // 2-TaskManager benchmark by about a third, while more credits or pending batches cost the
  // 1-TaskManager cluster (BENCHMARKS.md section 8).
  t.batch_size = 4096;
  auto read = [&](const char* key, std::int64_t fallback, std::int64_t max) {
    auto v = config.get_int(key, fallback);
    if (v < 1 || v > max)
      throw config_error(std::string{key} + ": expected an integer from 1 to "
                         + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  };
  t.batch_size = static_cast<std::size_t>(
    read("taskmanager.network.batch-size", static_cast<std::int64_t>(t.batch_size), 1 << 20));
  t.initial_credits = static_cast<std::int32_t>(
    read("taskmanager.network.credits", t.initial_credits, 1024));
  t.max_pending_batches = static_cast<std::size_t>(read(
    "taskmanager.network.max-pending-batches", static_cast<std::int64_t>(t.max_pending_batches),
    1024));
  return t;
}

/// Leader retrieval callbacks run on the retrieval thread: only enqueue.
class forward_to_task_manager : public leader_retrieval_listener {
 public:
  explicit forward_to_task_manager(task_manager_actor tm) : tm_(std::move(tm)) {}
  void notify_leader_address(const std::string& address, const std::string& session) override {
    caf::anon_send(tm_, leader_changed_atom::value, address, session);
  }
  void handle_error(const std::string& message) override {
    spdlog::error("leader retrieval failed: {}", message);
  }

 private:
  task_manager_actor tm_;
};

int run_taskmanager(const taskmanager_options& opt) {
  spdlog::set_level(spdlog::level::from_str(opt.log_level));
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ [taskmanager] %v");
  if (opt.slots < 1) {
    std::fprintf(stderr, "fjord taskmanager: --slots must be at least 1, got %d\n", opt.slots);
    return 2;
  }
  block_termination_signals();
  std::unique_ptr<leader_retrieval_service> retrieval;
  task_options tasks;
  try {
    auto config = load_configuration(opt.config_path, opt.defines);
    tasks = network_options(config);
    retrieval = make_leader_retrieval(config);
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord taskmanager: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord taskmanager: %s\n", e.what());
    return 1;
  }
  runtime_config cfg{true};
  caf::actor_system sys{cfg};
  task_manager_options tm_opts;
  tm_opts.id = opt.id.empty() ? "tm-" + std::to_string(getpid()) : opt.id;
  tm_opts.slots = opt.slots;
  tm_opts.tasks = tasks;
  auto tm = spawn_cluster_task_manager(sys, tm_opts);
  spdlog::info("task manager {} started with {} slot(s)", tm_opts.id, opt.slots);
  forward_to_task_manager listener{tm};
  try {
    retrieval->start(&listener);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord taskmanager: leader retrieval cannot start: %s\n", e.what());
    caf::anon_send_exit(tm, caf::exit_reason::user_shutdown);
    return 1;
  }
  on_termination_signal([tm](int sig) {
    spdlog::info("signal {}: stopping", sig);
    caf::anon_send_exit(tm, caf::exit_reason::user_shutdown);
  });
  caf::scoped_actor self{sys};
  self->monitor(tm);
  self->receive([](caf::down_msg&) {});
  retrieval->stop();
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
