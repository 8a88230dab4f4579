#include "actors/job_manager_endpoint.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/client_messages.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

struct endpoint_state {
  static inline const char* name = "fjord.job_manager_endpoint";
};

using endpoint_pointer = job_manager_endpoint_actor::stateful_pointer<endpoint_state>;

/// `job_manager` is the job manager itself, narrowed to the part of its interface it publishes.
job_manager_endpoint_actor::behavior_type endpoint(endpoint_pointer self,
                                                   job_manager_endpoint_actor job_manager) {
  self->monitor(job_manager);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source == job_manager.address())
      self->quit(dm.reason);
  });
  // A foreign message is refused (unexpected_message to its sender), without printing it.
  self->set_default_handler(caf::drop);
  // delegate(): the job manager answers the original sender, with the original request id.
  return {
    [=](leader_atom x) -> caf::delegated<std::string> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const submit_job& x) -> caf::delegated<job_submitted> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const request_job_status& x) -> caf::delegated<job_status_report> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const list_jobs& x) -> caf::delegated<std::vector<job_status_report>> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const cancel_job& x) -> caf::delegated<job_status_report> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const inject_task_failure& x) -> caf::delegated<std::string> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const register_task_manager& x) -> caf::delegated<task_manager_registered> {
      self->delegate(job_manager, x);
      return {};
    },
    [=](const fetch_plugin& x) -> caf::delegated<std::string> {
      self->delegate(job_manager, x);
      return {};
    },
  };
}

}  // namespace

job_manager_endpoint_actor spawn_job_manager_endpoint(caf::actor_system& sys,
                                                      job_manager_actor job_manager) {
  return sys.spawn(endpoint, std::move(job_manager));
}

}  // namespace fjord
