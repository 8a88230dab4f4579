#include "library/cluster_support.hpp"

#include <climits>
#include <csignal>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <fmt/format.h>

#include "actors/transport.hpp"
#include "common/failpoints.hpp"
#include "common/host_port.hpp"

namespace fjord {

configuration load_configuration(const std::string& path,
                                 const std::vector<std::string>& defines) {
  configuration config;
  if (!path.empty())
    config = configuration::load_file(path);
  config.apply_overrides(defines);
  if (auto spec = config.find("failpoints"))
    failpoint::configure(*spec);
  return config;
}

job_limits job_limits_from(const configuration& config) {
  job_limits limits;
  auto read = [&](const char* key, std::int64_t fallback) {
    auto v = config.get_int(key, fallback);
    if (v < 1 || v > INT32_MAX)
      throw config_error(fmt::format("{}: expected an integer from 1 to {}, got {}", key,
                                     INT32_MAX, v));
    return v;
  };
  limits.max_parallelism =
    static_cast<std::int32_t>(read("jobmanager.max-parallelism", limits.max_parallelism));
  limits.max_tasks_per_job = read("jobmanager.max-tasks-per-job", limits.max_tasks_per_job);
  limits.max_graph_bytes = read("jobmanager.max-graph-bytes", limits.max_graph_bytes);
  limits.max_task_manager_slots =
    static_cast<std::int32_t>(read("taskmanager.max-slots", limits.max_task_manager_slots));
  limits.roots = file_roots::from(config);
  return limits;
}

namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_termination_signals() {
  auto set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void on_termination_signal(std::function<void(int)> on_signal) {
  std::thread([on_signal = std::move(on_signal)] {
    auto set = termination_signals();
    int sig = 0;
    if (sigwait(&set, &sig) == 0)
      on_signal(sig);
  }).detach();
}

leader_address parse_address(const std::string& what, const std::string& text) {
  auto parsed = parse_host_port(text);
  if (!parsed.value)
    throw config_error(fmt::format("{}: expected host:port, {}", what, parsed.error));
  leader_address result;
  result.host = std::move(parsed.value->host);
  result.port = parsed.value->port;
  return result;
}

void leader_tracker::notify_leader_address(const std::string& address,
                                           const std::string& session_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (address.empty()) {
    current_.reset();
  } else {
    try {
      auto parsed = parse_address("leader address", address);
      parsed.session = session_id;
      current_ = parsed;
    } catch (const std::exception& e) {
      error_ = e.what();
      current_.reset();
    }
  }
  cv_.notify_all();
}

void leader_tracker::handle_error(const std::string& message) {
  std::lock_guard<std::mutex> guard{mtx_};
  error_ = message;
  cv_.notify_all();
}

std::optional<leader_address> leader_tracker::wait(std::chrono::milliseconds timeout,
                                                   const std::optional<leader_address>& not_this) {
  std::unique_lock<std::mutex> guard{mtx_};
  auto differs = [&] {
    return current_ && (!not_this || current_->text() != not_this->text()
                        || current_->session != not_this->session);
  };
  cv_.wait_for(guard, timeout, differs);
  if (differs())
    return current_;
  return std::nullopt;
}

std::string leader_tracker::last_error() {
  std::lock_guard<std::mutex> guard{mtx_};
  return error_;
}

caf::expected<job_manager_endpoint_actor> connect_job_manager(caf::actor_system& sys,
                                                              const leader_address& leader) {
  return connect_remote<job_manager_endpoint_actor>(sys, leader.host, leader.port);
}

}  // namespace fjord
