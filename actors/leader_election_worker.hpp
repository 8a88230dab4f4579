// The leader-election worker: a detached actor that owns a leader_election_service (whose
// calls may block on ZooKeeper) and turns its callbacks into messages to the contender actor:
//   (grant_atom, std::string session_id), (revoke_atom), (ha_error_atom, std::string message).
// It accepts (confirm_atom, session_id, address) and (shutdown_atom) -> bool.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace fjord {

class leader_election_service;

caf::actor spawn_leader_election_worker(caf::actor_system& sys,
                                        std::shared_ptr<leader_election_service> service,
                                        caf::actor contender);

}  // namespace fjord
