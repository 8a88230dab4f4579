// `fjord run JOB.json`: runs one job in an embedded cluster (one JobManager and N TaskManagers
// in this process, standalone stores), shows live progress, optionally kills random tasks, and
// prints a summary. Exit code 0 only if the job FINISHED.
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/embedded_cluster.hpp"
#include "common/failpoints.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "fjord/configuration.hpp"
#include "common/ids.hpp"
#include "common/job_configuration.hpp"
#include "library/cluster_support.hpp"
#include "library/job_plugins.hpp"
#include "operators/job_spec.hpp"

namespace fjord {

namespace {

struct run_options {
  std::string spec_path;
  std::string config_path;
  std::vector<std::string> defines;
  std::vector<std::string> sets;
  std::vector<std::string> plugins;
  int task_managers = 2;
  int slots = 0;  ///< 0: enough for the job's largest parallelism
  int inject_failures = 0;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string log_level = "warn";
  bool no_progress = false;
  double timeout_s = 3600;
};

/// Decides when to kill a task: a random pause after the job is RUNNING again.
class failure_injector {
 public:
  failure_injector(int count, std::uint64_t seed) : remaining_(count), rng_(seed) {}

  /// Called on every status poll; returns true when a task should be killed now.
  bool due(const job_status_report& report) {
    if (remaining_ <= 0 || report.state != job_state::running) {
      next_.reset();
      return false;
    }
    auto now = std::chrono::steady_clock::now();
    if (!next_) {
      std::uniform_int_distribution<int> pause_ms{100, 700};
      next_ = now + std::chrono::milliseconds{pause_ms(rng_)};
      return false;
    }
    return now >= *next_;
  }

  void injected() {
    --remaining_;
    ++done_;
    next_.reset();
  }

  std::uint64_t next_seed() { return rng_(); }
  int done() const { return done_; }
  int remaining() const { return remaining_; }

 private:
  int remaining_;
  int done_ = 0;
  std::mt19937_64 rng_;
  std::optional<std::chrono::steady_clock::time_point> next_;
};

void print_summary(const job_status_report& r, double seconds, const failure_injector& injector,
                   int requested_failures) {
  std::printf("job %s (%s): %s in %.2f s\n", short_id(r.job_id).c_str(), r.name.c_str(),
              to_string(r.state), seconds);
  std::printf("  records  in %s, out %s (last attempt%s)\n", with_thousands(r.records_in).c_str(),
              with_thousands(r.records_out).c_str(),
              r.restored_checkpoint_id
                ? (", restored from checkpoint " + std::to_string(r.restored_checkpoint_id)).c_str()
                : "");
  std::printf("  checkpoints %lld completed, %lld failed; restarts %d", (long long)
              r.checkpoints_completed, (long long)r.checkpoints_failed, r.restarts);
  if (requested_failures > 0)
    std::printf(" (%d of %d requested failures injected%s)", injector.done(), requested_failures,
                injector.remaining() > 0 ? "; the job ended first" : "");
  std::printf("\n");
  if (!r.failure.empty() && r.state != job_state::finished)
    std::printf("  cause: %s\n", r.failure.c_str());
}

int run(const run_options& opt) {
  progress_line progress{!opt.no_progress};
  progress.install_log_sink(opt.log_level);

  job_graph graph;
  job_limits limits;
  try {
    configuration config;
    if (!opt.config_path.empty())
      config = configuration::load_file(opt.config_path);
    config.apply_overrides(opt.defines);
    if (auto spec = config.find("failpoints"))
      failpoint::configure(*spec);
    // Plugins' operators join the process's registry before any task runs.
    auto shipped = load_job_plugins(opt.plugins);
    auto& global = operator_registry::global();
    for (auto& name : shipped.registry->names())
      if (global.find(name) == nullptr)
        global.add(*shipped.registry->find(name));
    graph = load_job_spec(opt.spec_path, global, opt.sets);
    apply_job_configuration(config, graph);
    limits = job_limits_from(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord: %s\n", e.what());
    return 2;
  }
  if (opt.task_managers < 1) {
    std::fprintf(stderr, "fjord: --task-managers must be at least 1, got %d\n", opt.task_managers);
    return 2;
  }
  int needed = graph.max_parallelism();
  int slots = opt.slots > 0 ? opt.slots
                            : static_cast<int>(std::ceil(double(needed) / opt.task_managers));
  if (opt.slots < 0) {
    std::fprintf(stderr, "fjord: --slots must be at least 1, got %d\n", opt.slots);
    return 2;
  }
  if (slots * opt.task_managers < needed) {
    std::fprintf(stderr,
                 "fjord: the job needs %d slots (its largest parallelism) but %d task manager(s) "
                 "x %d slot(s) offer %d; raise --slots or --task-managers\n",
                 needed, opt.task_managers, slots, slots * opt.task_managers);
    return 2;
  }
  if (opt.inject_failures < 0) {
    std::fprintf(stderr, "fjord: --inject-failures must be >= 0, got %d\n", opt.inject_failures);
    return 2;
  }

  runtime_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options cluster_opts;
  cluster_opts.task_managers = opt.task_managers;
  cluster_opts.slots_per_task_manager = slots;
  cluster_opts.job_manager.limits = limits;
  embedded_cluster cluster{sys, cluster_opts};
  job_client client{sys, cluster.endpoint()};
  if (auto session = client.connect(); !session) {
    std::fprintf(stderr, "fjord: the JobManager did not become leader: %s\n",
                 describe(session.error()).c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  auto job_id = client.submit(graph);
  if (!job_id) {
    std::fprintf(stderr, "fjord: submission failed: %s\n", describe(job_id.error()).c_str());
    return 1;
  }
  std::uint64_t seed = opt.seed_given ? opt.seed : std::random_device{}();
  failure_injector injector{opt.inject_failures, seed};
  if (opt.inject_failures > 0)
    spdlog::info("injecting {} failure(s), seed {}", opt.inject_failures, seed);
  auto deadline = start + std::chrono::duration<double>(opt.timeout_s);
  job_status_report last;
  for (;;) {
    auto report = client.status(*job_id);
    if (!report) {
      progress.clear();
      std::fprintf(stderr, "fjord: status request failed: %s\n",
                   describe(report.error()).c_str());
      return 1;
    }
    last = *report;
    progress.update(last, injector.done());
    if (is_globally_terminal(last.state) || last.state == job_state::suspended)
      break;
    if (injector.due(last)) {
      auto killed = client.inject_failure(*job_id, injector.next_seed());
      if (killed) {
        injector.injected();
        spdlog::warn("injected failure {} of {}: killed task {}", injector.done(),
                     opt.inject_failures, *killed);
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      progress.clear();
      std::fprintf(stderr, "fjord: the job did not end within %.0f s; cancelling it\n",
                   opt.timeout_s);
      client.cancel(*job_id);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  progress.clear();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_summary(last, seconds, injector, opt.inject_failures);
  return last.state == job_state::finished ? 0 : 1;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<run_options>();
  auto cmd = app.add_subcommand("run", "Run a job in an embedded cluster (one process)");
  cmd->add_option("job", opt->spec_path, "The job spec (JSON)")->required();
  cmd->add_option("-c,--config", opt->config_path, "Configuration file (flat YAML keys)");
  cmd->add_option("-D", opt->defines, "Configuration override key=value (repeatable)");
  cmd->add_option("--set", opt->sets,
                  "Job spec override PATH=VALUE, e.g. numbers.to=5000 (repeatable)");
  cmd->add_option("--plugin", opt->plugins, "Load this operator plugin first (repeatable)");
  cmd->add_option("--task-managers", opt->task_managers, "TaskManagers to start (default 2)");
  cmd->add_option("--slots", opt->slots,
                  "Slots per TaskManager (default: enough for the job's largest parallelism)");
  cmd->add_option("--inject-failures", opt->inject_failures,
                  "Kill a random task this many times, at random moments");
  cmd->add_option("--seed", opt->seed, "Seed of the failure injection")
    ->each([opt](const std::string&) { opt->seed_given = true; });
  cmd->add_option("--log-level", opt->log_level, "trace|debug|info|warn|error (default warn)")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cmd->add_flag("--no-progress", opt->no_progress, "No live progress line");
  cmd->add_option("--timeout", opt->timeout_s, "Cancel the job after this many seconds");
  cmd->callback([opt, &exit_code] { exit_code = run(*opt); });
}

}  // namespace fjord
