// A connection to whichever JobManager of a cluster currently leads, found through leader
// retrieval (ZooKeeper's /leader, or jobmanager.address in standalone mode) and followed
// across leader changes. Used by the cluster commands of the CLI and by fjord::client.
// Blocking: never call it from inside an actor.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/job_client.hpp"
#include "library/cluster_support.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

class cluster_connection {
 public:
  /// `sys` needs networking (add_networking). Starts leader retrieval at once; throws
  /// config_error for bad settings.
  cluster_connection(caf::actor_system& sys, const configuration& config);
  ~cluster_connection();

  cluster_connection(const cluster_connection&) = delete;
  cluster_connection& operator=(const cluster_connection&) = delete;

  /// Connects to one JobManager, bypassing leader retrieval. A standby has no session: a
  /// submission to it is persisted and run by the leader. Returns an error line on failure.
  std::optional<std::string> connect_to(const std::string& address);

  /// Connects to the leader (a different one than now if `change` is set). Returns an error
  /// line on failure.
  std::optional<std::string> connect(std::chrono::milliseconds timeout, bool change = false);

  /// Submits `graph` under a fresh job id and, if the answer was lost or leadership moved,
  /// asks the (new) leader for it and resubmits with the same id until `timeout`: the job
  /// runs once whatever failed on the way.
  caf::expected<std::string> submit(job_graph graph, std::chrono::milliseconds timeout);

  job_client& client() { return client_; }

 private:
  caf::expected<std::string> confirm_submission(const job_graph& graph, caf::error first,
                                                std::chrono::milliseconds timeout);

  caf::actor_system& sys_;
  leader_tracker tracker_;
  std::unique_ptr<leader_retrieval_service> retrieval_;
  job_client client_;
  std::optional<leader_address> current_;
  std::string where_;
};

/// True if a failed submission may still have been persisted or run: the answer was lost
/// (timeout, the JobManager went away), leadership moved, or the store could not tell.
bool submission_outcome_unknown(const caf::error& e);

}  // namespace fjord
