// Store workers: detached actors, each owning one store object. They are the only actors that
// block (ZooKeeper and file-system calls), so the job manager, jobs, coordinators and tasks
// never do (DESIGN.md, the threading rule). Requests are answered in order; a store_error
// becomes a caf::error with the fjord::errc of its kind (store_unavailable, conflict, corrupt,
// ...), any other exception errc::store_failed; its context is the message.
//
// Interfaces: checkpoint_store_worker_actor and job_graph_store_worker_actor (messages/fwd.hpp).
//
// checkpoint store worker (one per job; owns the completed-checkpoint store and the id counter,
// created through the factory inside the worker's thread, then recover() + start()):
//   (next_id_atom)                              -> int64_t       next checkpoint id
//   (add_atom, completed_checkpoint)            -> bool          stored durably
//   (latest_atom)                               -> std::vector<completed_checkpoint> (0 or 1)
//   (shutdown_atom, job_state)                  -> bool          closes the stores, keeps every
//                                                                checkpoint; then it quits
// Writes (next_id, add) fail with errc::fenced once holds_leadership says false.
//
// job graph store worker (one per JobManager; owns the submitted-job-graph store and the job
// result store; starts the graph store with a listener that tells `listener` about graphs
// another JobManager added or removed: (graph_added_atom, job_id), (graph_removed_atom, job_id)):
//   (put_atom, job_graph)                       -> bool          persisted
//   (remove_atom, job_result, session)          -> bool          result recorded, then the
//                                                                job's checkpoints deleted,
//                                                                then its graph removed (the
//                                                                deletes fenced by session)
//   (recover_atom)                              -> std::vector<job_graph>: every graph without
//                                                  a result (unreadable ones logged, skipped;
//                                                  an ended job's interrupted clean-up finished)
//   (recover_atom, std::string job_id)          -> std::vector<job_graph> (0 or 1)
//   (results_atom, std::string job_id)          -> std::vector<job_result> (0 or 1): the
//                                                  recorded result of a job that ended
//   (results_atom)                              -> std::vector<job_result>: every recorded
//                                                  result, newest end first
//   (shutdown_atom)                             -> bool          stop(), then quit
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/errors.hpp"
#include "messages/fwd.hpp"

namespace fjord {

class checkpoint_recovery_factory;
class job_result_store;
class leader_election_service;
class submitted_job_graph_store;

/// True while this JobManager still holds the leadership a worker writes for; empty: unfenced.
/// Called on the worker's thread before every write (leader_election_service::has_leadership
/// is thread-safe).
using leadership_check = std::function<bool()>;
/// The ZooKeeper node a checkpoint write checks in its own transaction (the leader's latch
/// node, leader_election_service::fencing_node); empty function or name: none.
using fence_node_source = std::function<std::string()>;

checkpoint_store_worker_actor
spawn_checkpoint_store_worker(caf::actor_system& sys,
                              std::shared_ptr<checkpoint_recovery_factory> factory,
                              std::string job_id, int max_retained,
                              leadership_check holds_leadership = {},
                              fence_node_source fence_node = {});

/// `checkpoints` deletes an ended job's checkpoints (remove_atom); `election` fences that
/// clean-up by the leader session it names. Either may be null (no checkpoints; unfenced).
job_graph_store_worker_actor
spawn_job_graph_store_worker(caf::actor_system& sys,
                             std::shared_ptr<submitted_job_graph_store> store,
                             std::shared_ptr<job_result_store> results,
                             std::shared_ptr<checkpoint_recovery_factory> checkpoints,
                             std::shared_ptr<leader_election_service> election,
                             job_graph_listener_actor listener);

}  // namespace fjord
