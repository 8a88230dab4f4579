// The JobManager actor: contends for leadership, keeps the registry of TaskManagers and their
// slots, persists submitted job graphs before acknowledging them, runs one job actor per job,
// recovers every job graph when it is granted leadership, and answers clients. All blocking
// work (stores, election) runs in worker actors, so its mailbox never stalls.
//
// Interface: job_manager_actor (messages/fwd.hpp): the public protocol of
// job_manager_endpoint_actor, plus leadership callbacks (leader_contender_actor), job graph store
// events (job_graph_listener_actor) and its jobs' requests and reports (job_supervisor_actor).
//
// Client protocol (messages/client_messages.hpp), fenced by the leader session:
//   (leader_atom)             -> std::string   current leader session ("" if not leader)
//   submit_job                -> job_submitted (after the graph is persisted)
//   request_job_status       -> job_status_report
//   list_jobs                 -> std::vector<job_status_report>
//   cancel_job                -> job_status_report
//   inject_task_failure       -> std::string   the killed task
// TaskManager protocol: register_task_manager -> task_manager_registered.
// A standby (not the leader) accepts a submit_job without a session: it persists the graph and
// leaves running it to the leader, which learns about it from the job graph store's watch.
//
// Every graph is checked before it is persisted or run (actors/detail/job_admission.hpp): a
// submission that fails is refused with errc::invalid_job and persists nothing; a recovered
// graph that fails, or whose job actor cannot be started, becomes FAILED alone with the reason
// recorded as its job result, and its graph is removed, so it does not come back on every grant.
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "actors/detail/job_admission.hpp"
#include "actors/job.hpp"
#include "messages/fwd.hpp"
#include "stores/ha_services.hpp"

namespace fjord {

struct job_manager_options {
  std::string address;  ///< published as leader info ("host:port"); empty in embedded mode
  /// Contend for leadership only after (start_atom, address) arrives: a cluster JobManager
  /// must be published (and know its port) before it can be elected.
  bool wait_for_address = false;
  job_options job;
  /// Graphs beyond these are refused (submitted) or failed (recovered): errc::invalid_job.
  job_limits limits;
  std::size_t retained_finished_jobs = 100;  ///< final reports kept for status queries
};

job_manager_actor spawn_job_manager(caf::actor_system& sys, ha_services services,
                             job_manager_options options = {});

}  // namespace fjord
