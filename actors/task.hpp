// Task actors: one per subtask of an execution attempt, spawned by a TaskManager. A task runs
// one operator: a source is polled while there is room downstream; a transformation or sink is
// fed from its input channels with barrier alignment. Records travel in batches directly to the
// downstream task actors under credit-based flow control (the receiver grants batches, the
// sender waits), so no mailbox grows without bound.
//
// Interface: task_actor (messages/fwd.hpp); all fenced by leader session, job id and attempt
// where they carry them:
//   start_task                  wire outputs/inputs, grant initial credits, report RUNNING
//   data_batch / barrier        input from an upstream task
//   credit                      more room on an output channel
//   trigger_checkpoint          (sources) snapshot, emit barrier, acknowledge
//   notify_checkpoint_complete  commit (sinks); after the final one: close, report FINISHED, quit
//   poll / tick / fail          its own: the next poll or drain turn, the metrics tick, a
//                               failure to start (operator creation, open, restore)
// To its job (task_report_actor): task_state_changed, task_metrics every metrics interval, and,
// from a source once its input is exhausted, end_of_input.
// A task that fails reports FAILED with the cause and quits with an error; the job monitors it.
#pragma once

#include <memory>

#include <string>

#include <caf/fwd.hpp>

#include "common/file_roots.hpp"
#include "messages/fwd.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

class operator_registry;

/// Tuning of the data path.
struct task_options {
  std::size_t batch_size = 512;        ///< records per batch
  std::int32_t initial_credits = 4;    ///< batches each input channel may have in flight
  std::size_t max_pending_batches = 2; ///< per output channel, before the task stops producing
  std::int64_t metrics_interval_ms = 100;
  /// Where the operator's path parameters may point (taskmanager.file-roots), checked when the
  /// task opens its operator; default: anywhere.
  fjord::file_roots file_roots;
};

/// Spawns the task actor for `deployment`. The operator is created, opened and restored
/// inside the actor; a failure there is reported as a FAILED task. The task of an operator that
/// blocks (operator_descriptor::blocking) runs detached, on its own thread. Operators are looked
/// up in `operators` (the job's plugins over the built-ins), or in the global registry if null.
task_actor spawn_task(caf::actor_system& sys, const std::string& leader_session,
                      const task_deployment& deployment, const task_options& options = {},
                      std::shared_ptr<const operator_registry> operators = nullptr);

}  // namespace fjord
