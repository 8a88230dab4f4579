#include "actors/job_client.hpp"

#include <thread>

#include <caf/scoped_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/client_messages.hpp"
#include "fjord/errc.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

template <class Reply, class... Ts>
caf::expected<Reply> ask(caf::actor_system& sys, const job_manager_endpoint_actor& dest,
                         std::chrono::milliseconds timeout, Ts&&... xs) {
  caf::scoped_actor self{sys};
  caf::expected<Reply> result{caf::sec::request_timeout};
  self->request(dest, timeout, std::forward<Ts>(xs)...)
    .receive([&](Reply& reply) { result = std::move(reply); },
             [&](caf::error& e) { result = std::move(e); });
  return result;
}

}  // namespace

job_client::job_client(caf::actor_system& sys, job_manager_endpoint_actor job_manager,
                       std::chrono::milliseconds timeout)
  : sys_(sys), job_manager_(std::move(job_manager)), timeout_(timeout) {
}

caf::expected<std::string> job_client::connect(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto session = ask<std::string>(sys_, job_manager_, timeout_, leader_atom::value);
    if (session && !session->empty()) {
      session_ = *session;
      return session_;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return session ? make_error(errc::not_leader, "the JobManager is not the leader")
                     : session.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

caf::expected<std::string> job_client::submit(const job_graph& graph) {
  auto reply = ask<job_submitted>(sys_, job_manager_, timeout_, submit_job{session_, graph});
  if (!reply)
    return reply.error();
  return reply->job_id;
}

caf::expected<job_status_report> job_client::status(const std::string& job_id) {
  return ask<job_status_report>(sys_, job_manager_, timeout_, request_job_status{session_, job_id});
}

caf::expected<std::vector<job_status_report>> job_client::list() {
  return ask<std::vector<job_status_report>>(sys_, job_manager_, timeout_, list_jobs{session_});
}

caf::expected<job_status_report> job_client::cancel(const std::string& job_id) {
  return ask<job_status_report>(sys_, job_manager_, timeout_, cancel_job{session_, job_id});
}

caf::expected<std::string> job_client::inject_failure(const std::string& job_id,
                                                      std::uint64_t seed) {
  return ask<std::string>(sys_, job_manager_, timeout_,
                          inject_task_failure{session_, job_id, seed});
}

caf::expected<job_status_report> job_client::wait_until_done(const std::string& job_id,
                                                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto report = status(job_id);
    if (report && (is_globally_terminal(report->state) || report->state == job_state::suspended))
      return report;
    if (std::chrono::steady_clock::now() >= deadline)
      return report ? caf::make_error(caf::sec::request_timeout,
                                      "job " + job_id + " did not end in time (state "
                                        + to_string(report->state) + ")")
                    : report.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace fjord
