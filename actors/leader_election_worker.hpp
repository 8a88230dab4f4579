// The leader-election worker: a detached actor that owns a leader_election_service (whose
// calls may block on ZooKeeper) and turns its callbacks into messages to the contender actor
// (leader_contender_actor): (grant_atom, std::string session_id), (revoke_atom),
// (ha_error_atom, std::string message) — the last only when the service failed for good.
// Its interface (leader_election_worker_actor, messages/fwd.hpp): (confirm_atom, session_id,
// address), (shutdown_atom) -> bool, and (start_service_atom), its first message to itself.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "messages/fwd.hpp"

namespace fjord {

class leader_election_service;

leader_election_worker_actor
spawn_leader_election_worker(caf::actor_system& sys,
                             std::shared_ptr<leader_election_service> service,
                             leader_contender_actor contender);

}  // namespace fjord
