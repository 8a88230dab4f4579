// fjord::client (include/fjord/client.hpp): a job_client for a local cluster, or a
// cluster_connection that follows the leader of a cluster of processes.
#include <fjord/client.hpp>

#include <filesystem>
#include <optional>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include "actors/job_client.hpp"
#include "library/client_impl.hpp"
#include "library/cluster_connection.hpp"
#include "messages/job_graph.hpp"
#include "operators/job_spec.hpp"

namespace fjord {

namespace {

using steady = std::chrono::steady_clock;

/// A remote call failed in a way a leader change explains: find the leader again.
bool worth_following(const caf::error& e) {
  return submission_outcome_unknown(e) || e == errc::unknown_job;
}

}  // namespace

client::impl::impl(caf::actor_system& sys, job_manager_endpoint_actor job_manager)
  : sys(sys), local(std::in_place, sys, std::move(job_manager)) {}

client::impl::impl(caf::actor_system& sys, const configuration& config)
  : sys(sys), remote(std::make_unique<cluster_connection>(sys, config)) {}

client::impl::~impl() = default;

job_client& client::impl::calls() {
  return remote ? remote->client() : *local;
}

template <class T, class Call>
caf::expected<T> client::impl::with_leader(Call&& call) {
  auto result = call(calls());
  if (result || !remote || !worth_following(result.error()))
    return result;
  auto deadline = steady::now() + timeout;
  while (!result && worth_following(result.error()) && steady::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (remote->connect(std::max(left, std::chrono::milliseconds{1}), true))
      break;  // no new leader in time: report what the last call said
    result = call(calls());
  }
  return result;
}

client::client(std::shared_ptr<impl> state) : impl_(std::move(state)) {}

caf::expected<client> client::connect(caf::actor_system& sys, const configuration& config,
                                      std::chrono::milliseconds timeout) {
  auto state = std::make_shared<impl>(sys, config);
  state->timeout = timeout;
  if (auto problem = state->remote->connect(timeout))
    return make_error(errc::not_leader, *problem);
  return client{std::move(state)};
}

void client::set_timeout(std::chrono::milliseconds timeout) {
  impl_->timeout = timeout;
}

caf::expected<std::string> client::submit(const job& j) {
  if (!impl_->remote)
    return impl_->calls().submit(j.graph());
  // Relative paths mean what they mean in this process, not on each TaskManager.
  auto graph = j.graph();
  make_paths_absolute(graph, operator_registry::global(), std::filesystem::current_path());
  return impl_->remote->submit(std::move(graph), impl_->timeout);
}

caf::expected<job_status_report> client::status(const std::string& job_id) {
  return impl_->with_leader<job_status_report>([&](job_client& c) { return c.status(job_id); });
}

caf::expected<std::vector<job_status_report>> client::list() {
  return impl_->with_leader<std::vector<job_status_report>>([](job_client& c) { return c.list(); });
}

caf::expected<job_status_report> client::cancel(const std::string& job_id) {
  return impl_->with_leader<job_status_report>([&](job_client& c) { return c.cancel(job_id); });
}

caf::expected<job_status_report> client::wait(const std::string& job_id,
                                              std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  for (;;) {
    auto report = status(job_id);
    if (report && is_globally_terminal(report->state))
      return report;
    if (!report && !(impl_->remote && worth_following(report.error())))
      return report.error();
    if (steady::now() >= deadline)
      return caf::make_error(caf::sec::request_timeout,
                        "job " + job_id + " did not end within "
                          + std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}

}  // namespace fjord
