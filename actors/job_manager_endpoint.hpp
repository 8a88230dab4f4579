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

#include <caf/fwd.hpp>

#include "messages/fwd.hpp"
// Complete types: spawning, publishing or connecting to a typed actor needs them.
#include "messages/client_messages.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

/// Its interface, job_manager_endpoint_actor, is in messages/fwd.hpp.
job_manager_endpoint_actor spawn_job_manager_endpoint(caf::actor_system& sys,
                                                      job_manager_actor job_manager);

}  // namespace fjord
