#include "actors/embedded_cluster.hpp"

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

namespace fjord {

embedded_cluster::embedded_cluster(caf::actor_system& sys, embedded_cluster_options options,
                                   ha_services services)
  : sys_(sys), options_(std::move(options)) {
  job_manager_ = spawn_job_manager(sys_, std::move(services), options_.job_manager);
  endpoint_ = spawn_job_manager_endpoint(sys_, job_manager_);
  for (int i = 0; i < options_.task_managers; ++i) {
    task_manager_options tm;
    tm.id = "tm-" + std::to_string(i + 1);
    tm.slots = options_.slots_per_task_manager;
    tm.tasks = options_.tasks;
    tm.registration_retry_ms = 20;
    task_managers_.push_back(
      spawn_task_manager(sys_, endpoint_, tm));
  }
}

embedded_cluster::~embedded_cluster() {
  caf::scoped_actor self{sys_};
  for (auto& tm : task_managers_)
    self->send_exit(tm, caf::exit_reason::user_shutdown);
  self->send_exit(job_manager_, caf::exit_reason::user_shutdown);
}

}  // namespace fjord
