// The CheckpointCoordinator of one job: triggers checkpoints periodically (interval,
// max-concurrent, min-pause), collects acknowledgements, fails a checkpoint at once on a
// decline and discards it at its timeout, drops acknowledgements of an old execution attempt
// or leader session, hands completed checkpoints to the job's checkpoint store worker and
// notifies the tasks only after the store confirmed. After every source reached its end it
// takes the final checkpoint.
//
// The store worker (a detached actor with the job's completed-checkpoint store and id counter,
// actors/store_workers.hpp) belongs to the job, which reads restores from it directly; the
// coordinator shuts it down at shutdown_coordinator. None of the coordinator's handlers blocks.
//
// Interface: checkpoint_coordinator_actor (messages/fwd.hpp). From its job: attempt_running,
// attempt_stopped (answered, see messages/internal_messages.hpp), sources_exhausted,
// shutdown_coordinator; from tasks: acknowledge_checkpoint, decline_checkpoint
// (messages/checkpoint_messages.hpp); to its job (checkpoint_listener_actor):
// checkpoint_completed_event, checkpoint_failed_event; its own tick and expiry timers.
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "messages/fwd.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

/// `store_worker` answers the checkpoint store worker's protocol (actors/store_workers.hpp);
/// tests on the deterministic scheduler pass a scripted one, since the real worker is detached
/// and a detached actor runs on its own thread even under caf::scheduler::test_coordinator.
checkpoint_coordinator_actor
spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session, std::string job_id,
                             checkpoint_settings settings, checkpoint_listener_actor job,
                             checkpoint_store_worker_actor store_worker);

}  // namespace fjord
