#include "actors/task_manager.hpp"

#include <map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

struct running_task {
  std::string job_id;
  std::int32_t attempt = 0;
  caf::actor handle;
};

struct task_manager_state {
  task_manager_options options;
  caf::actor job_manager;
  std::string session;  ///< the leader session we registered under
  bool registered = false;
  std::map<caf::actor_addr, running_task> tasks;
  static inline const char* name = "fjord.task_manager";
};

using tm_actor = caf::stateful_actor<task_manager_state>;

void kill_tasks(tm_actor* self, const std::string& job_id, std::int32_t max_attempt) {
  auto& st = self->state;
  for (auto& [addr, task] : st.tasks)
    if (job_id.empty() || (task.job_id == job_id && task.attempt <= max_attempt))
      self->send_exit(task.handle, caf::exit_reason::kill);
}

void try_register(tm_actor* self) {
  auto& st = self->state;
  auto retry = [=] {
    self->delayed_send(self, std::chrono::milliseconds{self->state.options.registration_retry_ms},
                       retry_atom::value);
  };
  self->request(st.job_manager, std::chrono::seconds(5), leader_atom::value)
    .then(
      [=](const std::string& session) {
        if (session.empty())
          return retry();
        auto& st = self->state;
        self->request(st.job_manager, std::chrono::seconds(5),
                      register_task_manager{session, st.options.id,
                                            caf::actor_cast<caf::actor>(self), st.options.slots})
          .then(
            [=](const task_manager_registered& reply) {
              auto& st = self->state;
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

caf::behavior task_manager(tm_actor* self, caf::actor job_manager, task_manager_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.job_manager = std::move(job_manager);
  self->monitor(st.job_manager);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source == st.job_manager.address()) {
      spdlog::warn("task manager {}: job manager gone ({}), cancelling {} task(s)", st.options.id,
                   describe(dm.reason), st.tasks.size());
      st.registered = false;
      st.session.clear();
      kill_tasks(self, "", 0);
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
    [=](retry_atom) { try_register(self); },
    [=](const deploy_task& msg) -> caf::result<caf::actor> {
      auto& st = self->state;
      if (!st.registered || msg.leader_session != st.session)
        return caf::make_error(caf::sec::runtime_error,
                               "task manager " + st.options.id
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

caf::actor spawn_task_manager(caf::actor_system& sys, caf::actor job_manager,
                              task_manager_options options) {
  return sys.spawn(task_manager, std::move(job_manager), std::move(options));
}

}  // namespace fjord
