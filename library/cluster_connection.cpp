#include "library/cluster_connection.hpp"

#include <algorithm>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/transport.hpp"
#include "common/ids.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

namespace {

/// Where the leader was looked for, for the error line: the user's most likely mistake.
std::string describe_where(const configuration& config) {
  if (recovery_mode_of(config) == recovery_mode::standalone)
    return "(standalone: is a JobManager running at "
           + config.get_string("jobmanager.address", "?") + "?)";
  return "(is ZooKeeper at " + config.get_string("recovery.zookeeper.quorum", "?")
         + " reachable, and a JobManager running with the same"
           " recovery.zookeeper.path.* settings?)";
}

/// `config`, once it is known to hold no unknown key (one set() with a typo passes otherwise).
const configuration& checked(const configuration& config) {
  config.check_keys();
  return config;
}

}  // namespace

cluster_connection::cluster_connection(caf::actor_system& sys, const configuration& config)
  : sys_(sys),
    retrieval_(make_leader_retrieval(checked(config))),
    client_(sys_, job_manager_endpoint_actor{}, std::chrono::seconds(3)),
    where_(describe_where(config)) {
  check_transport(sys, config);
  retrieval_->start(&tracker_);
}

cluster_connection::~cluster_connection() {
  retrieval_->stop();
}

std::optional<std::string> cluster_connection::connect_to(const std::string& address) {
  auto target = parse_address("--jobmanager", address);
  auto jm = connect_job_manager(sys_, target);
  if (!jm)
    return "cannot reach the JobManager at " + address + ": " + describe(jm.error());
  client_.use_job_manager(*jm);
  auto session = client_.connect(std::chrono::milliseconds(200));
  client_.use_session(session ? *session : std::string{});
  current_ = target;
  return std::nullopt;
}

std::optional<std::string> cluster_connection::connect(std::chrono::milliseconds timeout,
                                                       bool change) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      auto why = tracker_.last_error();
      return fmt::format("no leading JobManager found within {:.0f} s {}{}",
                         std::chrono::duration<double>(timeout).count(), where_,
                         why.empty() ? std::string{} : ": " + why);
    }
    auto leader = tracker_.wait(left, change ? current_ : std::nullopt);
    if (!leader)
      continue;
    auto jm = connect_job_manager(sys_, *leader);
    if (jm) {
      client_.use_job_manager(*jm);
      if (!leader->session.empty()) {
        client_.use_session(leader->session);
      } else if (!client_.connect(left)) {
        continue;
      }
      current_ = leader;
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    change = false;  // the same address may come back (a restarted JobManager)
  }
}

caf::expected<std::string> cluster_connection::submit(job_graph graph,
                                                      std::chrono::milliseconds timeout) {
  graph.job_id = new_job_id();  // ours, so a retried submission cannot run twice
  auto submitted = client_.submit(graph);
  if (!submitted && submission_outcome_unknown(submitted.error()))
    submitted = confirm_submission(graph, submitted.error(), timeout);
  return submitted;
}

/// After a submission whose outcome is unknown: asks the (possibly new) leader for the job
/// and submits it again (same job id, so it cannot run twice) if the leader does not know it,
/// until `timeout` passed. A leader that is still recovering the job refuses the resubmission
/// as existing; then it is asked again.
caf::expected<std::string> cluster_connection::confirm_submission(
  const job_graph& graph, caf::error first, std::chrono::milliseconds timeout) {
  spdlog::warn("submission of job {} unconfirmed ({}); asking the leader whether it has it",
               short_id(graph.job_id), describe(first));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  caf::error last = std::move(first);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (connect(std::max(left, std::chrono::milliseconds(1))))
      continue;
    auto known = client_.status(graph.job_id);
    if (known)
      return graph.job_id;
    if (known.error() != errc::unknown_job) {
      last = known.error();
      continue;  // no answer: the leader may be changing
    }
    auto again = client_.submit(graph);
    if (again)
      return again;
    last = again.error();
    bool being_recovered = last == errc::already_exists;
    if (!being_recovered && !submission_outcome_unknown(last))
      return last;
  }
  return last;
}

bool submission_outcome_unknown(const caf::error& e) {
  if (auto code = errc_of(e))
    return *code == errc::not_leader || *code == errc::fenced || is_store_failure(*code);
  if (e.category() != caf::atom("system"))
    return false;
  switch (static_cast<caf::sec>(e.code())) {
    case caf::sec::request_timeout:
    case caf::sec::request_receiver_down:
    case caf::sec::connection_timeout:
    case caf::sec::no_route_to_receiving_node:
    case caf::sec::cannot_connect_to_node:
    case caf::sec::disconnect_during_handshake:
    case caf::sec::socket_disconnected:
    case caf::sec::remote_lookup_failed:
      return true;
    default:
      return false;
  }
}

}  // namespace fjord
