#include "actors/task_manager.hpp"

#include <map>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/client_messages.hpp"
#include "fjord/job_status.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

struct running_task {
  std::string job_id;
  std::int32_t attempt = 0;
  task_actor handle;
};

struct task_manager_state {
  task_manager_options options;
  job_manager_endpoint_actor job_manager;
  std::string session;  ///< the leader session we registered under
  bool registered = false;
  bool cluster = false;           ///< follows (leader_changed_atom, address, session) announcements
  std::string leader_address;     ///< cluster: the announced leader
  std::string announced_session;  ///< cluster: the announced leader session
  std::uint64_t generation = 0;   ///< bumped on every leader change; stale replies are dropped
  std::map<caf::actor_addr, running_task> tasks;
  static inline const char* name = "fjord.task_manager";
};

using tm_actor = task_manager_actor::stateful_base<task_manager_state>;

void kill_tasks(tm_actor* self, const std::string& job_id, std::int32_t max_attempt) {
  auto& st = self->state;
  for (auto& [addr, task] : st.tasks)
    if (job_id.empty() || (task.job_id == job_id && task.attempt <= max_attempt))
      self->send_exit(task.handle, caf::exit_reason::kill);
}

void connect_to_leader(tm_actor* self);

void try_register(tm_actor* self) {
  auto& st = self->state;
  auto generation = st.generation;
  auto retry = [=] {
    self->delayed_send(self, std::chrono::milliseconds{self->state.options.registration_retry_ms},
                       retry_atom::value, generation);
  };
  if (!st.job_manager)
    return st.cluster ? connect_to_leader(self) : void();
  self->request(st.job_manager, std::chrono::seconds(5), leader_atom::value)
    .then(
      [=](const std::string& session) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        // Fencing: in a cluster, register only under the session announced by retrieval.
        if (session.empty() || (st.cluster && session != st.announced_session))
          return retry();
        self->request(st.job_manager, std::chrono::seconds(5),
                      register_task_manager{session, st.options.id,
                                            caf::actor_cast<task_manager_actor>(self),
                                            st.options.slots})
          .then(
            [=](const task_manager_registered& reply) {
              auto& st = self->state;
              if (generation != st.generation)
                return;
              if (!st.registered || st.session != reply.leader_session)
                spdlog::info("task manager {} registered with the leader (session {})",
                             st.options.id, reply.leader_session);
              st.session = reply.leader_session;
              st.registered = true;
            },
            [=](caf::error& e) {
              spdlog::debug("task manager {}: registration failed: {}", self->state.options.id,
                            describe(e));
              retry();
            });
      },
      [=](caf::error&) { retry(); });
}

/// Cluster mode: connect to the announced leader address without blocking (the middleman
/// actor connects for us), then register.
void connect_to_leader(tm_actor* self) {
  auto& st = self->state;
  auto generation = st.generation;
  auto colon = st.leader_address.rfind(':');
  if (st.leader_address.empty() || colon == std::string::npos)
    return;
  auto host = st.leader_address.substr(0, colon);
  auto port = static_cast<std::uint16_t>(std::stoi(st.leader_address.substr(colon + 1)));
  self->request(self->system().middleman().actor_handle(), std::chrono::seconds(10),
                caf::connect_atom::value, host, port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        if (!ptr) {
          self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                             retry_atom::value, generation);
          return;
        }
        st.job_manager = caf::actor_cast<job_manager_endpoint_actor>(ptr);
        self->monitor(st.job_manager);
        try_register(self);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        spdlog::debug("task manager {}: cannot reach the leader at {}: {}", st.options.id,
                      st.leader_address, describe(e));
        self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                           retry_atom::value, generation);
      });
}

task_manager_actor::behavior_type task_manager(tm_actor* self,
                                               job_manager_endpoint_actor job_manager,
                                               task_manager_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.job_manager = std::move(job_manager);
  st.cluster = !st.job_manager;
  if (st.job_manager)
    self->monitor(st.job_manager);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.job_manager && dm.source == st.job_manager.address()) {
      spdlog::warn("task manager {}: job manager gone ({}), cancelling {} task(s)", st.options.id,
                   describe(dm.reason), st.tasks.size());
      st.registered = false;
      st.session.clear();
      kill_tasks(self, "", 0);
      if (st.cluster) {
        // Wait for leader retrieval to announce the next leader; meanwhile retry this one.
        st.job_manager = nullptr;
        ++st.generation;
        self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                           retry_atom::value, st.generation);
      }
      return;
    }
    st.tasks.erase(dm.source);
  });
  self->set_exit_handler([=](caf::exit_msg& em) {
    kill_tasks(self, "", 0);
    self->quit(em.reason);
  });
  try_register(self);
  return {
    [=](retry_atom, std::uint64_t generation) {
      if (generation == self->state.generation)
        try_register(self);
    },
    [=](leader_changed_atom, const std::string& address, const std::string& session) {
      auto& st = self->state;
      if (!st.cluster || (address == st.leader_address && session == st.announced_session))
        return;
      spdlog::info("task manager {}: leader is now {} (session {})", st.options.id,
                   address.empty() ? "unknown" : address, session.empty() ? "-" : session);
      if (!st.tasks.empty())
        spdlog::info("task manager {}: cancelling {} task(s) of the previous leader",
                     st.options.id, st.tasks.size());
      kill_tasks(self, "", 0);
      if (st.job_manager)
        self->demonitor(st.job_manager.address());
      st.job_manager = nullptr;
      st.registered = false;
      st.session.clear();
      st.leader_address = address;
      st.announced_session = session;
      ++st.generation;
      connect_to_leader(self);
    },
    [=](const deploy_task& msg) -> caf::result<task_actor> {
      auto& st = self->state;
      if (!st.registered || msg.leader_session != st.session)
        return make_error(errc::fenced, "task manager " + st.options.id
                                          + " refuses a deployment from another leader session");
      auto task = spawn_task(self->system(), st.session, msg.deployment, st.options.tasks);
      self->monitor(task);
      st.tasks[task.address()] = {msg.deployment.job_id, msg.deployment.attempt, task};
      return task;
    },
    [=](const cancel_tasks& msg) {
      auto& st = self->state;
      if (msg.leader_session != st.session)
        return;
      kill_tasks(self, msg.job_id, msg.attempt);
    },
  };
}

}  // namespace

task_manager_actor spawn_task_manager(caf::actor_system& sys,
                                      job_manager_endpoint_actor job_manager,
                                      task_manager_options options) {
  return sys.spawn(task_manager, std::move(job_manager), std::move(options));
}

task_manager_actor spawn_cluster_task_manager(caf::actor_system& sys,
                                              task_manager_options options) {
  return sys.spawn(task_manager, job_manager_endpoint_actor{}, std::move(options));
}

}  // namespace fjord
