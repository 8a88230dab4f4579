// The job actor: the execution graph of one job on the leading JobManager. It restores the
// latest completed checkpoint, asks the job manager for slots, deploys one task per subtask on
// the TaskManagers, wires them, tracks task states, and on any task failure stops the attempt
// and restarts from the latest completed checkpoint under the job's restart strategy
// (fixed-delay, exponential-delay or none). It owns the job's checkpoint coordinator.
//
// Interface: job_actor (messages/fwd.hpp).
//   from tasks:       task_state_changed, task_metrics, end_of_input (fenced by session, job,
//                     attempt)
//   from coordinator: checkpoint_completed_event, checkpoint_failed_event
//   from job manager: cancel_job -> job_status_report, inject_task_failure -> std::string,
//                     suspend_job (leadership lost: stop, keep HA data)
//   to job manager:   job_status_report (on every change and periodically), request_slots,
//                     job_terminated (then the job actor quits), through job_supervisor_actor
//   to itself:        restart and retry timers, its report tick
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "messages/fwd.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

class checkpoint_recovery_factory;

struct job_options {
  std::int64_t report_interval_ms = 200;
  std::int64_t slot_wait_ms = 30000;         ///< waiting for slots longer counts as a failure
  std::int64_t deploy_timeout_ms = 10000;    ///< per deploy request to a TaskManager
  /// True while the job's leader session still leads (checked by the checkpoint store worker
  /// before every write); empty: unfenced.
  std::function<bool()> holds_leadership;
  /// The ZooKeeper node every completed-checkpoint write checks in its own transaction (the
  /// leader's latch node); empty: none.
  std::function<std::string()> fence_node;
};

job_actor spawn_job(caf::actor_system& sys, job_supervisor_actor job_manager,
                    std::string leader_session, job_graph graph,
                    std::shared_ptr<checkpoint_recovery_factory> factory, job_options options = {});

}  // namespace fjord
