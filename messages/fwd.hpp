// Forward declarations of Fjord's messages, and the typed handle of every actor: what each one
// accepts, in one place, so a mistyped send is a compile error and a message outside an actor's
// interface, sent by a remote peer, is refused with unexpected_message.
//
// The actors' headers (actors/*.hpp) say who sends what and spawn them. Where a handle is used
// as a complete type (spawning, sending, a member of a message), include the message headers too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "messages/atoms.hpp"

namespace fjord {

enum class job_state : std::uint8_t;

// messages/client_messages.hpp, messages/job_status.hpp
struct submit_job;
struct job_submitted;
struct cancel_job;
struct request_job_status;
struct list_jobs;
struct inject_task_failure;
struct job_status_report;

// messages/task_messages.hpp
struct register_task_manager;
struct task_manager_registered;
struct deploy_task;
struct fetch_plugin;
struct cancel_tasks;
struct connect_peers;
struct data_endpoint;
struct start_task;
struct task_state_changed;
struct task_metrics;
struct end_of_input;

// messages/data_messages.hpp
struct data_batch;
struct barrier;
struct credit;

// messages/checkpoint_messages.hpp, messages/checkpoint.hpp
struct trigger_checkpoint;
struct acknowledge_checkpoint;
struct decline_checkpoint;
struct notify_checkpoint_complete;
struct completed_checkpoint;

// messages/job_graph.hpp, serialization/records.hpp
struct job_graph;
struct job_result;

// messages/internal_messages.hpp (never cross the middleman)
struct slot_assignment;
struct request_slots;
struct job_terminated;
struct suspend_job;
struct attempt_running;
struct attempt_stopped;
struct sources_exhausted;
struct shutdown_coordinator;
struct checkpoint_completed_event;
struct checkpoint_failed_event;
struct leader_announcement;

// ---- tasks (actors/task.hpp) -------------------------------------------------------------------

/// What a task sends its checkpoint results to: the job's checkpoint coordinator.
using checkpoint_ack_actor =
  caf::typed_actor<caf::reacts_to<acknowledge_checkpoint>, caf::reacts_to<decline_checkpoint>>;

/// What a task reports its state, its counts and (a source) the end of its input to: its job.
using task_report_actor =
  caf::typed_actor<caf::reacts_to<task_state_changed>, caf::reacts_to<task_metrics>,
                   caf::reacts_to<end_of_input>>;

/// A task: control from its job and coordinator, records, barriers and credits from the tasks it
/// is wired to, and its own poll, metrics tick and start-up failure.
using task_actor = caf::typed_actor<
  caf::reacts_to<start_task>, caf::reacts_to<data_batch>, caf::reacts_to<barrier>,
  caf::reacts_to<credit>, caf::reacts_to<trigger_checkpoint>,
  caf::reacts_to<notify_checkpoint_complete>, caf::reacts_to<poll_atom>, caf::reacts_to<tick_atom>,
  caf::reacts_to<fail_atom, std::string>>;

// ---- TaskManagers (actors/task_manager.hpp) ----------------------------------------------------

/// A TaskManager: deployments and cancellations from the leader, leader announcements from
/// leader retrieval (cluster mode: a local-only message, never decoded from the network), and
/// its own registration retries and link polls.
using task_manager_actor = caf::typed_actor<
  caf::replies_to<deploy_task>::with<task_actor>, caf::reacts_to<cancel_tasks>,
  caf::reacts_to<leader_announcement>,
  caf::reacts_to<retry_atom, std::uint64_t>,
  caf::replies_to<connect_peers>::with<bool>, caf::reacts_to<poll_atom, std::uint64_t>>;

// ---- store and election workers (actors/store_workers.hpp, actors/leader_election_worker.hpp) --

/// One job's completed-checkpoint store and checkpoint id counter.
using checkpoint_store_worker_actor = caf::typed_actor<
  caf::replies_to<next_id_atom>::with<std::int64_t>,
  caf::replies_to<add_atom, completed_checkpoint>::with<bool>,
  caf::replies_to<latest_atom>::with<std::vector<completed_checkpoint>>,
  caf::replies_to<shutdown_atom, job_state>::with<bool>>;

/// A JobManager's submitted-job-graph store and job result store.
using job_graph_store_worker_actor = caf::typed_actor<
  caf::replies_to<put_atom, job_graph>::with<bool>,
  caf::replies_to<remove_atom, job_result, std::string>::with<bool>,
  caf::replies_to<recover_atom>::with<std::vector<job_graph>>,
  caf::replies_to<recover_atom, std::string>::with<std::vector<job_graph>>,
  caf::replies_to<results_atom, std::string>::with<std::vector<job_result>>,
  caf::replies_to<results_atom>::with<std::vector<job_result>>,
  caf::replies_to<shutdown_atom>::with<bool>>;

/// What the job graph store worker tells about graphs another JobManager added or removed.
using job_graph_listener_actor =
  caf::typed_actor<caf::reacts_to<graph_added_atom, std::string>,
                   caf::reacts_to<graph_removed_atom, std::string>>;

/// A JobManager's leader election service.
using leader_election_worker_actor =
  caf::typed_actor<caf::reacts_to<start_service_atom>,
                   caf::reacts_to<confirm_atom, std::string, std::string>,
                   caf::replies_to<shutdown_atom>::with<bool>>;

/// What the election worker tells its contender: leadership granted (session), revoked, or
/// failed for good (the reason).
using leader_contender_actor =
  caf::typed_actor<caf::reacts_to<grant_atom, std::string>, caf::reacts_to<revoke_atom>,
                   caf::reacts_to<ha_error_atom, std::string>>;

// ---- checkpoint coordinator (actors/checkpoint_coordinator.hpp) --------------------------------

/// What the coordinator tells its job about checkpoints.
using checkpoint_listener_actor =
  caf::typed_actor<caf::reacts_to<checkpoint_completed_event>,
                   caf::reacts_to<checkpoint_failed_event>>;

using checkpoint_coordinator_actor = checkpoint_ack_actor::extend<
  caf::reacts_to<attempt_running>, caf::replies_to<attempt_stopped>::with<bool>,
  caf::reacts_to<sources_exhausted>,
  caf::replies_to<shutdown_coordinator>::with<bool>, caf::reacts_to<tick_atom>,
  caf::reacts_to<expire_atom, std::int32_t, std::int64_t>>;

// ---- jobs (actors/job.hpp) ---------------------------------------------------------------------

/// What a job asks and tells its job manager.
using job_supervisor_actor =
  caf::typed_actor<caf::replies_to<request_slots>::with<std::vector<slot_assignment>>,
                   caf::reacts_to<job_status_report>, caf::reacts_to<job_terminated>>;

using job_actor = task_report_actor::extend_with<checkpoint_listener_actor>::extend<
  caf::replies_to<cancel_job>::with<job_status_report>,
  caf::replies_to<inject_task_failure>::with<std::string>, caf::reacts_to<suspend_job>,
  caf::reacts_to<restart_atom, std::int32_t>, caf::reacts_to<restart_atom, std::int32_t, int>,
  caf::reacts_to<retry_atom, std::int32_t>, caf::reacts_to<tick_atom>,
  caf::reacts_to<restore_atom, std::int32_t, std::int32_t>>;

// ---- JobManagers (actors/job_manager.hpp, actors/job_manager_endpoint.hpp) ---------------------

/// The public protocol, the only one a JobManager process publishes: client requests (fenced by
/// the leader session in every message but leader_atom) and TaskManager registration.
using job_manager_endpoint_actor = caf::typed_actor<
  caf::replies_to<leader_atom>::with<std::string>,
  caf::replies_to<submit_job>::with<job_submitted>,
  caf::replies_to<request_job_status>::with<job_status_report>,
  caf::replies_to<list_jobs>::with<std::vector<job_status_report>>,
  caf::replies_to<cancel_job>::with<job_status_report>,
  caf::replies_to<inject_task_failure>::with<std::string>,
  caf::replies_to<register_task_manager>::with<task_manager_registered>,
  caf::replies_to<fetch_plugin>::with<std::string>>;

/// The job manager itself: the public protocol plus what its election, its job graph store and
/// its jobs tell it, and (start_atom, address) to start contending once it is published.
using job_manager_actor =
  job_manager_endpoint_actor::extend_with<leader_contender_actor, job_graph_listener_actor,
                                          job_supervisor_actor>::
    extend<caf::reacts_to<start_atom, std::string>,
           caf::reacts_to<retry_atom, std::string, std::int32_t>,
           caf::reacts_to<clean_up_atom, job_result, std::int32_t>>;

}  // namespace fjord
