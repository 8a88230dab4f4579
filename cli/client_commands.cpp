// Client commands of a cluster: `fjord submit`, `list`, `status`, `cancel`. They find the
// leading JobManager through leader retrieval and talk to it through the middleman, fenced by
// the announced leader session. `submit` without --detached follows the job across leader
// changes and exits 0 only when it FINISHED.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ctime>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <spdlog/spdlog.h>

#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "library/cluster_connection.hpp"
#include "library/job_plugins.hpp"
#include "cli/commands.hpp"
#include "cli/progress_line.hpp"
#include "common/ids.hpp"
#include "common/job_configuration.hpp"
#include "operators/job_spec.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"
#include "stores/zookeeper/zk_config.hpp"

namespace fjord {

namespace {

struct client_options {
  std::string config_path;
  std::vector<std::string> defines;
  std::string job_manager;  ///< "host:port": talk to this JobManager, leader or not
  double timeout_s = 30;  ///< to find a leader / get an answer
  std::string log_level = "warn";
};

template <class F>
int with_cluster(const client_options& opt, const char* command, F&& f) {
  spdlog::set_level(spdlog::level::from_str(opt.log_level));
  try {
    auto config = load_configuration(opt.config_path, opt.defines);
    auto timeout = std::chrono::milliseconds{static_cast<std::int64_t>(opt.timeout_s * 1000)};
    if (recovery_mode_of(config) == recovery_mode::zookeeper) {
      // A client gives up after --timeout, its first ZooKeeper connection attempt included.
      auto connect_ms = zk::zookeeper_settings::from(config).connection_timeout_ms;
      if (timeout.count() > 0 && timeout.count() < connect_ms)
        config.apply_overrides(
          {fmt::format("recovery.zookeeper.client.connection-timeout={}ms", timeout.count())});
    }
    runtime_config cfg{config};
    caf::actor_system sys{cfg};
    cluster_connection cluster{sys, config};
    auto problem = opt.job_manager.empty() ? cluster.connect(timeout)
                                           : cluster.connect_to(opt.job_manager);
    if (problem) {
      std::fprintf(stderr, "fjord %s: %s\n", command, problem->c_str());
      return 1;
    }
    return f(cluster, config, timeout);
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord %s: %s\n", command, e.what());
    return 2;
  } catch (const spec_error& e) {
    std::fprintf(stderr, "fjord %s: %s\n", command, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord %s: %s\n", command, e.what());
    return 1;
  }
}

void print_report(const job_status_report& r) {
  if (r.name.empty() && r.attempt == 0 && r.tasks_total == 0) {
    // Ended under an earlier leader (or long ago): only its result is kept.
    std::time_t ended = r.ended_ms / 1000;
    std::tm utc{};
    char when[32] = "?";
    if (gmtime_r(&ended, &utc) != nullptr)
      std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &utc);
    std::printf("job %s: %s\n  ended %s (only its result is kept: no run details)\n",
                r.job_id.c_str(), to_string(r.state), when);
    if (!r.failure.empty())
      std::printf("  failure: %s\n", r.failure.c_str());
    return;
  }
  std::printf("job %s (%s): %s\n", r.job_id.c_str(), r.name.c_str(), to_string(r.state));
  std::printf("  attempt %d, restarts %d, checkpoints %lld completed (latest %lld), %lld failed\n",
              r.attempt, r.restarts, (long long)r.checkpoints_completed,
              (long long)r.latest_checkpoint_id, (long long)r.checkpoints_failed);
  std::printf("  records in %s, out %s; tasks running %d of %d\n",
              with_thousands(r.records_in).c_str(), with_thousands(r.records_out).c_str(),
              r.tasks_running, r.tasks_total);
  if (!r.failure.empty())
    std::printf("  last failure: %s\n", r.failure.c_str());
}

struct submit_options : client_options {
  std::string spec_path;
  std::vector<std::string> sets;
  std::vector<std::string> plugins;
  bool detached = false;
  bool no_progress = false;
  double follow_timeout_s = 3600;
};

int submit(const submit_options& opt) {
  // Validate the spec before looking for a cluster: a bad spec is the user's first problem.
  job_graph graph;
  try {
    auto config = load_configuration(opt.config_path, opt.defines);
    // The plugins load here first: the spec is validated with their operators.
    auto shipped = load_job_plugins(opt.plugins);
    graph = load_job_spec(opt.spec_path, *shipped.registry, opt.sets);
    apply_job_configuration(config, graph);
    // Relative paths mean what they mean for `fjord run` here, not on each TaskManager.
    make_paths_absolute(graph, *shipped.registry, std::filesystem::current_path());
    graph.plugins = std::move(shipped.blobs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fjord submit: %s\n", e.what());
    return 2;
  }
  return with_cluster(opt, "submit", [&](cluster_connection& cluster, const configuration&,
                                         std::chrono::milliseconds timeout) {
    auto submitted = cluster.submit(graph, timeout);
    if (!submitted) {
      std::fprintf(stderr, "fjord submit: %s\n", describe(submitted.error()).c_str());
      return 1;
    }
    std::printf("%s\n", submitted->c_str());
    std::fflush(stdout);
    if (opt.detached)
      return 0;
    progress_line progress{!opt.no_progress};
    auto deadline = std::chrono::steady_clock::now()
                    + std::chrono::milliseconds{static_cast<std::int64_t>(opt.follow_timeout_s
                                                                          * 1000)};
    job_status_report last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto report = cluster.client().status(*submitted);
      if (report) {
        last = *report;
        progress.update(last, 0);
        if (is_globally_terminal(last.state))
          break;
      } else {
        // The leader may have changed, or not have recovered the job yet: follow it. An error
        // that is not the leader's own answer (a lost connection, a timeout: this client was
        // cut off) may leave the same leader in place: reconnect to whoever leads now, instead
        // of waiting for a change that never comes.
        spdlog::info("following job {}: {}", short_id(*submitted), describe(report.error()));
        auto code = errc_of(report.error());
        bool leader_moved = code == errc::not_leader || code == errc::fenced;
        cluster.connect(timeout, leader_moved);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    progress.clear();
    print_report(last);
    return last.state == job_state::finished ? 0 : 1;
  });
}

void add_common(CLI::App* cmd, client_options& opt) {
  cmd->add_option("-c,--config", opt.config_path, "Configuration file (flat YAML keys)");
  cmd->add_option("-D", opt.defines, "Configuration override key=value (repeatable)");
  cmd->add_option("--timeout", opt.timeout_s, "Seconds to wait for a leader (default 30)");
  cmd->add_option("--jobmanager", opt.job_manager,
                  "Talk to this JobManager (host:port) instead of the leader");
  cmd->add_option("--log-level", opt.log_level, "trace|debug|info|warn|error (default warn)")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
}

}  // namespace

void add_client_commands(CLI::App& app, int& exit_code) {
  auto sub = std::make_shared<submit_options>();
  auto submit_cmd = app.add_subcommand("submit", "Submit a job to the cluster's leader");
  add_common(submit_cmd, *sub);
  submit_cmd->add_option("job", sub->spec_path, "The job spec (JSON)")->required();
  submit_cmd->add_option("--set", sub->sets, "Job spec override PATH=VALUE (repeatable)");
  submit_cmd->add_option("--plugin", sub->plugins,
                         "Operator plugin (shared library) shipped with the job (repeatable)");
  submit_cmd->add_flag("--detached", sub->detached, "Print the job id and return at once");
  submit_cmd->add_flag("--no-progress", sub->no_progress, "No live progress line");
  submit_cmd->add_option("--follow-timeout", sub->follow_timeout_s,
                         "Give up following the job after this many seconds");
  submit_cmd->callback([sub, &exit_code] { exit_code = submit(*sub); });

  auto list_opt = std::make_shared<client_options>();
  auto list_cmd = app.add_subcommand("list", "List the jobs of the cluster");
  add_common(list_cmd, *list_opt);
  list_cmd->callback([list_opt, &exit_code] {
    exit_code = with_cluster(*list_opt, "list", [](cluster_connection& c, auto&, auto) {
      auto jobs = c.client().list();
      if (!jobs) {
        std::fprintf(stderr, "fjord list: %s\n", describe(jobs.error()).c_str());
        return 1;
      }
      std::printf("%-32s  %-10s  %8s  %11s  %s\n", "JOB ID", "STATE", "RESTARTS", "CHECKPOINTS",
                  "NAME");
      for (auto& r : *jobs)
        std::printf("%-32s  %-10s  %8d  %11lld  %s\n", r.job_id.c_str(), to_string(r.state),
                    r.restarts, (long long)r.checkpoints_completed, r.name.c_str());
      return 0;
    });
  });

  auto status_opt = std::make_shared<client_options>();
  auto status_job = std::make_shared<std::string>();
  auto status_cmd = app.add_subcommand("status", "Show the status of a job");
  add_common(status_cmd, *status_opt);
  status_cmd->add_option("job_id", *status_job, "The job id")->required();
  status_cmd->callback([status_opt, status_job, &exit_code] {
    exit_code = with_cluster(*status_opt, "status", [&](cluster_connection& c, auto&, auto) {
      auto r = c.client().status(*status_job);
      if (!r) {
        std::fprintf(stderr, "fjord status: %s\n", describe(r.error()).c_str());
        return 1;
      }
      print_report(*r);
      return 0;
    });
  });

  auto cancel_opt = std::make_shared<client_options>();
  auto cancel_job_id = std::make_shared<std::string>();
  auto cancel_cmd = app.add_subcommand("cancel", "Cancel a job");
  add_common(cancel_cmd, *cancel_opt);
  cancel_cmd->add_option("job_id", *cancel_job_id, "The job id")->required();
  cancel_cmd->callback([cancel_opt, cancel_job_id, &exit_code] {
    exit_code = with_cluster(*cancel_opt, "cancel", [&](cluster_connection& c, auto&, auto) {
      auto r = c.client().cancel(*cancel_job_id);
      if (!r) {
        std::fprintf(stderr, "fjord cancel: %s\n", describe(r.error()).c_str());
        return 1;
      }
      print_report(*r);
      return 0;
    });
  });
}

}  // namespace fjord
