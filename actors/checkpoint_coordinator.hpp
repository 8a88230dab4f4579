// The CheckpointCoordinator of one job: triggers checkpoints periodically (interval,
// max-concurrent, min-pause), collects acknowledgements, fails a checkpoint at once on a
// decline and discards it at its timeout, drops acknowledgements of an old execution attempt
// or leader session, hands completed checkpoints to its store worker and notifies the tasks only
// after the store confirmed. After every source reached its end it takes the final checkpoint.
//
// It owns a checkpoint store worker (a detached actor with the job's completed-checkpoint store
// and id counter), so none of its handlers blocks.
//
// Protocol: see actors/internal_messages.hpp (attempt_running, attempt_stopped, restore_latest,
// sources_exhausted, shutdown_coordinator) and messages/checkpoint_messages.hpp.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/job_graph.hpp"

namespace fjord {

class checkpoint_recovery_factory;

caf::actor spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session,
                                        std::string job_id, checkpoint_settings settings,
                                        caf::actor job,
                                        std::shared_ptr<checkpoint_recovery_factory> factory);

/// The same with a store worker that answers the checkpoint store worker's protocol
/// (actors/store_workers.hpp) and is shut down with the coordinator. Tests on the deterministic
/// scheduler use it: the real worker is detached, and a detached actor runs on its own thread
/// even under caf::scheduler::test_coordinator.
caf::actor spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session,
                                        std::string job_id, checkpoint_settings settings,
                                        caf::actor job, caf::actor store_worker);

}  // namespace fjord
