#include "actors/leader_election_worker.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "messages/atoms.hpp"
#include "stores/leader_election.hpp"

namespace fjord {

namespace {

/// Runs on the election service's thread: only enqueues.
class contender_adapter : public leader_contender {
 public:
  explicit contender_adapter(leader_contender_actor target) : target_(std::move(target)) {}
  void grant_leadership(const std::string& session_id) override {
    caf::anon_send(target_, grant_atom::value, session_id);
  }
  void revoke_leadership() override { caf::anon_send(target_, revoke_atom::value); }
  void handle_error(const std::string& message) override {
    caf::anon_send(target_, ha_error_atom::value, message);
  }

 private:
  leader_contender_actor target_;
};

struct election_worker_state {
  std::shared_ptr<leader_election_service> service;
  std::unique_ptr<contender_adapter> adapter;
  bool started = false;
  static inline const char* name = "fjord.leader_election_worker";
};

leader_election_worker_actor::behavior_type
election_worker(leader_election_worker_actor::stateful_pointer<election_worker_state> self,
                std::shared_ptr<leader_election_service> service,
                leader_contender_actor contender) {
  self->state.service = std::move(service);
  self->state.adapter = std::make_unique<contender_adapter>(std::move(contender));
  self->send(self, start_service_atom::value);
  return {
    [=](start_service_atom) {
      try {
        self->state.service->start(self->state.adapter.get());
        self->state.started = true;
      } catch (const std::exception& e) {
        self->state.adapter->handle_error(std::string{"leader election cannot start: "}
                                          + e.what());
      }
    },
    [=](confirm_atom, const std::string& session_id, const std::string& address) {
      try {
        self->state.service->confirm_leadership(session_id, address);
      } catch (const std::exception& e) {
        spdlog::error("confirming leadership failed: {}", e.what());
      }
    },
    [=](shutdown_atom) -> bool {
      if (self->state.started) {
        try {
          self->state.service->stop();
        } catch (const std::exception& e) {
          spdlog::warn("stopping leader election: {}", e.what());
        }
      }
      self->quit();
      return true;
    },
  };
}

}  // namespace

leader_election_worker_actor
spawn_leader_election_worker(caf::actor_system& sys,
                             std::shared_ptr<leader_election_service> service,
                             leader_contender_actor contender) {
  return sys.spawn<caf::detached>(election_worker, std::move(service), std::move(contender));
}

}  // namespace fjord
