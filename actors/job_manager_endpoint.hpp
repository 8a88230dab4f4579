// The JobManager's public face: the only actor a JobManager process publishes to the network.
// Its typed interface is the public protocol — client requests and TaskManager registration —
// and each request is delegated to the job manager actor, which answers the sender directly.
// Everything else the job manager handles (leadership grants and revocations from its election
// worker, reports of its job actors, slot requests, watch events of the job graph store) is not
// in this interface, so a remote peer that sends it gets unexpected_message and nothing changes.
//
// The endpoint quits when the job manager is down (a published actor never quits by itself).
#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
// Complete types: spawning, publishing or connecting to a typed actor needs them.
#include "messages/client_messages.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

/// Fenced by the leader session in every message but leader_atom (see actors/job_manager.hpp).
using job_manager_endpoint_actor = caf::typed_actor<
  caf::replies_to<leader_atom>::with<std::string>,
  caf::replies_to<submit_job>::with<job_submitted>,
  caf::replies_to<request_job_status>::with<job_status_report>,
  caf::replies_to<list_jobs>::with<std::vector<job_status_report>>,
  caf::replies_to<cancel_job>::with<job_status_report>,
  caf::replies_to<inject_task_failure>::with<std::string>,
  caf::replies_to<register_task_manager>::with<task_manager_registered>>;

job_manager_endpoint_actor spawn_job_manager_endpoint(caf::actor_system& sys,
                                                      caf::actor job_manager);

}  // namespace fjord
