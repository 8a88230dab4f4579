// A blocking client of a JobManager, for the CLI, tests and benchmarks (never for use inside an
// actor). Every call has a timeout and returns caf::expected; errors read as one line via
// describe().
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/job_manager_endpoint.hpp"
#include "messages/job_graph.hpp"
#include "fjord/job_status.hpp"

namespace fjord {

class job_client {
 public:
  job_client(caf::actor_system& sys, job_manager_endpoint_actor job_manager,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Asks the JobManager for its leader session and remembers it for later calls; retries
  /// until `wait` passed if it is not (yet) the leader.
  caf::expected<std::string> connect(std::chrono::milliseconds wait = std::chrono::seconds(10));

  caf::expected<std::string> submit(const job_graph& graph);
  caf::expected<job_status_report> status(const std::string& job_id);
  caf::expected<std::vector<job_status_report>> list();
  caf::expected<job_status_report> cancel(const std::string& job_id);
  caf::expected<std::string> inject_failure(const std::string& job_id, std::uint64_t seed);

  /// Polls status until the job is globally terminal (or suspended) or `timeout` passed.
  caf::expected<job_status_report> wait_until_done(const std::string& job_id,
                                                   std::chrono::milliseconds timeout);

  const std::string& session() const { return session_; }
  /// Uses `session` (e.g. announced by leader retrieval) instead of asking the JobManager.
  void use_session(std::string session) { session_ = std::move(session); }
  void use_job_manager(job_manager_endpoint_actor job_manager) {
    job_manager_ = std::move(job_manager);
  }
  const job_manager_endpoint_actor& job_manager() const { return job_manager_; }

 private:
  caf::actor_system& sys_;
  job_manager_endpoint_actor job_manager_;
  std::chrono::milliseconds timeout_;
  std::string session_;
};

}  // namespace fjord
