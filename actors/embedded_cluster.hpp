// An embedded cluster: one JobManager and K TaskManagers in one actor system, with standalone
// (in-memory) HA services unless others are given. Used by `fjord run`, the actor-level tests
// and the benchmarks. Shuts everything down on destruction.
#pragma once

#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/job_manager.hpp"
#include "actors/job_manager_endpoint.hpp"
#include "actors/task_manager.hpp"
#include "stores/ha_services.hpp"

namespace fjord {

struct embedded_cluster_options {
  int task_managers = 2;
  int slots_per_task_manager = 2;
  task_options tasks;
  job_manager_options job_manager;
};

class embedded_cluster {
 public:
  embedded_cluster(caf::actor_system& sys, embedded_cluster_options options,
                   ha_services services = make_standalone_ha_services());
  ~embedded_cluster();

  embedded_cluster(const embedded_cluster&) = delete;
  embedded_cluster& operator=(const embedded_cluster&) = delete;

  /// The job manager actor itself (internal messages, tests).
  const job_manager_actor& job_manager() const { return job_manager_; }
  /// Its public protocol, as a JobManager process publishes it: what clients talk to.
  const job_manager_endpoint_actor& endpoint() const { return endpoint_; }
  const std::vector<task_manager_actor>& task_managers() const { return task_managers_; }
  int total_slots() const {
    return options_.task_managers * options_.slots_per_task_manager;
  }

 private:
  caf::actor_system& sys_;
  embedded_cluster_options options_;
  job_manager_actor job_manager_;
  job_manager_endpoint_actor endpoint_;
  std::vector<task_manager_actor> task_managers_;
};

}  // namespace fjord
