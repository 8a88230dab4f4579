// JobManager <-> TaskManager <-> task messages: registration, deployment, wiring, start,
// cancellation, task state changes and metrics. All carry the leader session id (fencing);
// job-scoped ones carry the job id and execution attempt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/fwd.hpp"
#include "messages/job_graph.hpp"
#include "messages/job_status.hpp"

namespace fjord {

/// TaskManager -> JobManager. Reply: `task_manager_registered`.
struct register_task_manager {
  std::string leader_session;
  std::string task_manager_id;
  task_manager_actor task_manager;
  std::int32_t slots = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_task_manager& x) {
  return f(caf::meta::type_name("fjord.register_task_manager"), x.leader_session,
           x.task_manager_id, x.task_manager, x.slots);
}

struct task_manager_registered {
  std::string leader_session;
  std::int32_t registered_task_managers = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_manager_registered& x) {
  return f(caf::meta::type_name("fjord.task_manager_registered"), x.leader_session,
           x.registered_task_managers);
}

/// Everything a TaskManager needs to start one subtask.
struct task_deployment {
  std::string job_id;
  std::int32_t attempt = 0;
  std::string vertex;
  std::string op;
  std::string params_json;
  std::int32_t subtask = 0;
  std::int32_t parallelism = 1;
  std::int32_t num_input_channels = 0;
  bool has_state = false;
  std::string state;                        ///< operator snapshot to restore from
  std::int64_t restored_checkpoint_id = 0;  ///< 0: fresh start
  task_report_actor job;                    ///< receives task_state_changed / metrics
  checkpoint_ack_actor coordinator;         ///< receives acknowledge / decline
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_deployment& x) {
  return f(caf::meta::type_name("fjord.task_deployment"), x.job_id, x.attempt, x.vertex, x.op,
           x.params_json, x.subtask, x.parallelism, x.num_input_channels, x.has_state, x.state,
           x.restored_checkpoint_id, x.job, x.coordinator);
}

/// JobManager -> TaskManager. Reply: the task actor.
struct deploy_task {
  std::string leader_session;
  task_deployment deployment;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deploy_task& x) {
  return f(caf::meta::type_name("fjord.deploy_task"), x.leader_session, x.deployment);
}

/// One downstream subtask of an output gate.
struct output_channel {
  task_actor receiver;
  std::int32_t receiver_channel = 0;  ///< the input channel index at the receiver
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_channel& x) {
  return f(caf::meta::type_name("fjord.output_channel"), x.receiver, x.receiver_channel);
}

/// The outgoing edge of a task towards one downstream vertex.
struct output_gate {
  partitioning part = partitioning::forward;
  std::string target_vertex;
  std::string target_op;           ///< the key of a hash edge is the target operator's key
  std::string target_params_json;
  std::vector<output_channel> channels;  ///< indexed by downstream subtask
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, output_gate& x) {
  return f(caf::meta::type_name("fjord.output_gate"), x.part, x.target_vertex, x.target_op,
           x.target_params_json, x.channels);
}

/// One upstream subtask feeding an input channel; credits go back to it.
struct input_channel {
  task_actor sender;
  std::int32_t sender_channel = 0;  ///< index in the sender's flattened output channels
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, input_channel& x) {
  return f(caf::meta::type_name("fjord.input_channel"), x.sender, x.sender_channel);
}

/// JobManager -> task, once every task of the attempt is deployed: connect, then run.
struct start_task {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::vector<output_gate> outputs;
  std::vector<input_channel> inputs;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_task& x) {
  return f(caf::meta::type_name("fjord.start_task"), x.leader_session, x.job_id, x.attempt,
           x.outputs, x.inputs);
}

/// JobManager -> TaskManager: stop every task of the job with an attempt <= `attempt`.
struct cancel_tasks {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_tasks& x) {
  return f(caf::meta::type_name("fjord.cancel_tasks"), x.leader_session, x.job_id, x.attempt);
}

/// Task -> job.
struct task_state_changed {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::string vertex;
  std::int32_t subtask = 0;
  task_state state = task_state::running;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_state_changed& x) {
  return f(caf::meta::type_name("fjord.task_state_changed"), x.leader_session, x.job_id,
           x.attempt, x.vertex, x.subtask, x.state, x.error);
}

/// Task -> job, periodically: cumulative counts of this subtask in this attempt.
struct task_metrics {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::string vertex;
  std::int32_t subtask = 0;
  std::int64_t records_in = 0;
  std::int64_t records_out = 0;
  bool source_exhausted = false;  ///< a source that emitted its last record
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_metrics& x) {
  return f(caf::meta::type_name("fjord.task_metrics"), x.leader_session, x.job_id, x.attempt,
           x.vertex, x.subtask, x.records_in, x.records_out, x.source_exhausted);
}

}  // namespace fjord
