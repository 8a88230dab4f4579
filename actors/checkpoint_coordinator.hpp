// The CheckpointCoordinator of one job: triggers checkpoints periodically (interval,
// max-concurrent, min-pause), collects acknowledgements, fails a checkpoint at once on a
// decline and discards it at its timeout, drops acknowledgements of an old execution attempt
// or leader session, hands completed checkpoints to its store worker and notifies the tasks only
// after the store confirmed. After every source reached its end it takes the final checkpoint.
//
// It owns a checkpoint store worker (a detached actor with the job's completed-checkpoint store
// and id counter), so none of its handlers blocks.
//
// Interface: checkpoint_coordinator_actor (messages/fwd.hpp). From its job: attempt_running,
// attempt_stopped, sources_exhausted, restore_latest, shutdown_coordinator
// (messages/internal_messages.hpp); from tasks: acknowledge_checkpoint, decline_checkpoint
// (messages/checkpoint_messages.hpp); to its job (checkpoint_listener_actor):
// checkpoint_completed_event, checkpoint_failed_event; its own tick and expiry timers.
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "messages/fwd.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

class checkpoint_recovery_factory;

checkpoint_coordinator_actor
spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session, std::string job_id,
                             checkpoint_settings settings, checkpoint_listener_actor job,
                             std::shared_ptr<checkpoint_recovery_factory> factory);

/// The same with a store worker that answers the checkpoint store worker's protocol
/// (actors/store_workers.hpp) and is shut down with the coordinator. Tests on the deterministic
/// scheduler use it: the real worker is detached, and a detached actor runs on its own thread
/// even under caf::scheduler::test_coordinator.
checkpoint_coordinator_actor
spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session, std::string job_id,
                             checkpoint_settings settings, checkpoint_listener_actor job,
                             checkpoint_store_worker_actor store_worker);

/// The same with a store worker that answers the checkpoint store worker's protocol
/// (actors/store_workers.hpp) and is shut down with the coordinator. Tests on the deterministic
/// scheduler use it: the real worker is detached, and a detached actor runs on its own thread
/// even under caf::scheduler::test_coordinator.
caf::actor spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session,
                                        std::string job_id, checkpoint_settings settings,
                                        caf::actor job, caf::actor store_worker);

}  // namespace fjord
