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
#include "fjord/job_status.hpp"

namespace fjord {

/// TaskManager -> JobManager. Reply: `task_manager_registered`.
struct register_task_manager {
  std::string leader_session;
  std::string task_manager_id;
  task_manager_actor task_manager;
  std::int32_t slots = 1;
  /// Where other TaskManagers reach this one's data endpoint (taskmanager.host and
  /// taskmanager.data.port); empty host: none (an embedded TaskManager, one node with the rest).
  std::string data_host;
  std::uint16_t data_port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_task_manager& x) {
  return f(caf::meta::type_name("fjord.register_task_manager"), x.leader_session,
           x.task_manager_id, x.task_manager, x.slots, x.data_host, x.data_port);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const register_task_manager& a, const register_task_manager& b) {
  return a.leader_session == b.leader_session
         && a.task_manager_id == b.task_manager_id
         && a.task_manager == b.task_manager
         && a.slots == b.slots
         && a.data_host == b.data_host
         && a.data_port == b.data_port;
}

inline bool operator!=(const register_task_manager& a, const register_task_manager& b) {
  return !(a == b);
}

/// A TaskManager's data endpoint, as it announced it at registration.
struct data_endpoint {
  task_manager_actor task_manager;  ///< its node is the peer to link to
  std::string task_manager_id;
  std::string host;
  std::uint16_t port = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_endpoint& x) {
  return f(caf::meta::type_name("fjord.data_endpoint"), x.task_manager, x.task_manager_id, x.host,
           x.port);
}

inline bool operator==(const data_endpoint& a, const data_endpoint& b) {
  return a.task_manager == b.task_manager && a.task_manager_id == b.task_manager_id
         && a.host == b.host && a.port == b.port;
}

/// Job -> TaskManager, before an attempt's tasks are deployed: make sure there is a direct
/// connection to each of these TaskManagers, so that every record, barrier and credit between
/// tasks on different TaskManagers goes straight there, never relayed by the JobManager (and
/// never switches routes mid-channel, which would break per-channel order). Of each pair, the
/// TaskManager on the smaller node id connects, the other waits for the link. Reply: true once
/// every link is direct; an error naming the peer otherwise.
struct connect_peers {
  std::string leader_session;
  std::vector<data_endpoint> peers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connect_peers& x) {
  return f(caf::meta::type_name("fjord.connect_peers"), x.leader_session, x.peers);
}

inline bool operator==(const connect_peers& a, const connect_peers& b) {
  return a.leader_session == b.leader_session && a.peers == b.peers;
}

inline bool operator!=(const connect_peers& a, const connect_peers& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const task_manager_registered& a, const task_manager_registered& b) {
  return a.leader_session == b.leader_session
         && a.registered_task_managers == b.registered_task_managers;
}

inline bool operator!=(const task_manager_registered& a, const task_manager_registered& b) {
  return !(a == b);
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
  /// The job's operator plugins by SHA-256: the TaskManager fetches, caches and loads them
  /// before it creates the task (the operator may be one of theirs).
  std::vector<std::string> plugins;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_deployment& x) {
  return f(caf::meta::type_name("fjord.task_deployment"), x.job_id, x.attempt, x.vertex, x.op,
           x.params_json, x.subtask, x.parallelism, x.num_input_channels, x.has_state, x.state,
           x.restored_checkpoint_id, x.job, x.coordinator, x.plugins);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const task_deployment& a, const task_deployment& b) {
  return a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.vertex == b.vertex
         && a.op == b.op
         && a.params_json == b.params_json
         && a.subtask == b.subtask
         && a.parallelism == b.parallelism
         && a.num_input_channels == b.num_input_channels
         && a.has_state == b.has_state
         && a.state == b.state
         && a.restored_checkpoint_id == b.restored_checkpoint_id
         && a.job == b.job
         && a.coordinator == b.coordinator
         && a.plugins == b.plugins;
}

inline bool operator!=(const task_deployment& a, const task_deployment& b) {
  return !(a == b);
}

/// JobManager -> TaskManager. Reply: the task actor.
/// TaskManager -> JobManager (its endpoint): the bytes of operator plugin `sha256` of job
/// `job_id`. Reply: std::string, the plugin's bytes (errc::unknown_job, errc::not_found).
struct fetch_plugin {
  std::string leader_session;
  std::string job_id;
  std::string sha256;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fetch_plugin& x) {
  return f(caf::meta::type_name("fjord.fetch_plugin"), x.leader_session, x.job_id, x.sha256);
}

inline bool operator==(const fetch_plugin& a, const fetch_plugin& b) {
  return a.leader_session == b.leader_session && a.job_id == b.job_id && a.sha256 == b.sha256;
}

struct deploy_task {
  std::string leader_session;
  task_deployment deployment;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deploy_task& x) {
  return f(caf::meta::type_name("fjord.deploy_task"), x.leader_session, x.deployment);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const deploy_task& a, const deploy_task& b) {
  return a.leader_session == b.leader_session
         && a.deployment == b.deployment;
}

inline bool operator!=(const deploy_task& a, const deploy_task& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const output_channel& a, const output_channel& b) {
  return a.receiver == b.receiver
         && a.receiver_channel == b.receiver_channel;
}

inline bool operator!=(const output_channel& a, const output_channel& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const output_gate& a, const output_gate& b) {
  return a.part == b.part
         && a.target_vertex == b.target_vertex
         && a.target_op == b.target_op
         && a.target_params_json == b.target_params_json
         && a.channels == b.channels;
}

inline bool operator!=(const output_gate& a, const output_gate& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const input_channel& a, const input_channel& b) {
  return a.sender == b.sender
         && a.sender_channel == b.sender_channel;
}

inline bool operator!=(const input_channel& a, const input_channel& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const start_task& a, const start_task& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.outputs == b.outputs
         && a.inputs == b.inputs;
}

inline bool operator!=(const start_task& a, const start_task& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const cancel_tasks& a, const cancel_tasks& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt;
}

inline bool operator!=(const cancel_tasks& a, const cancel_tasks& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const task_state_changed& a, const task_state_changed& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.vertex == b.vertex
         && a.subtask == b.subtask
         && a.state == b.state
         && a.error == b.error;
}

inline bool operator!=(const task_state_changed& a, const task_state_changed& b) {
  return !(a == b);
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
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_metrics& x) {
  return f(caf::meta::type_name("fjord.task_metrics"), x.leader_session, x.job_id, x.attempt,
           x.vertex, x.subtask, x.records_in, x.records_out);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const task_metrics& a, const task_metrics& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.attempt == b.attempt
         && a.vertex == b.vertex
         && a.subtask == b.subtask
         && a.records_in == b.records_in
         && a.records_out == b.records_out;
}

inline bool operator!=(const task_metrics& a, const task_metrics& b) {
  return !(a == b);
}

/// Source task -> job, once per attempt: it emitted its last record. When every source of the
/// attempt said so, the job asks its coordinator for the final checkpoint.
struct end_of_input {
  std::string leader_session;
  std::string job_id;
  std::int32_t attempt = 0;
  std::string vertex;
  std::int32_t subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, end_of_input& x) {
  return f(caf::meta::type_name("fjord.end_of_input"), x.leader_session, x.job_id, x.attempt,
           x.vertex, x.subtask);
}

inline bool operator==(const end_of_input& a, const end_of_input& b) {
  return a.leader_session == b.leader_session && a.job_id == b.job_id && a.attempt == b.attempt
         && a.vertex == b.vertex && a.subtask == b.subtask;
}

inline bool operator!=(const end_of_input& a, const end_of_input& b) {
  return !(a == b);
}

}  // namespace fjord
