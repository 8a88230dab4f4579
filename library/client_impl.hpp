// What a fjord::client holds: a job_client of a JobManager in this actor system, or a
// connection that follows the leader of a cluster of processes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include <fjord/client.hpp>

#include "actors/job_client.hpp"

namespace fjord {

class cluster_connection;

struct client::impl {
  impl(caf::actor_system& sys, job_manager_endpoint_actor job_manager);
  impl(caf::actor_system& sys, const configuration& config);
  ~impl();

  job_client& calls();
  /// Runs `call`; on a remote cluster, after an error a leader change explains, follows the
  /// leader and runs it again until `timeout`.
  template <class T, class Call>
  caf::expected<T> with_leader(Call&& call);

  caf::actor_system& sys;
  std::chrono::milliseconds timeout{std::chrono::seconds{30}};
  std::optional<job_client> local;
  std::unique_ptr<cluster_connection> remote;
};

}  // namespace fjord
