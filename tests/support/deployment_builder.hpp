// Builds a task_deployment for tests that deploy one task by hand (to a TaskManager or with
// spawn_task): the defaults are a valid single-subtask deployment, each setter says what differs.
#pragma once

#include <cstdint>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>

#include "messages/task_messages.hpp"

namespace fjord::testing {

class deployment_builder {
 public:
  /// `op` as registered in the operator registry, `params_json` its parameters.
  deployment_builder(std::string vertex, std::string op, std::string params_json = "{}") {
    d_.job_id = "0123456789abcdef0123456789abcdef";
    d_.vertex = std::move(vertex);
    d_.op = std::move(op);
    d_.params_json = std::move(params_json);
  }

  deployment_builder& job_id(std::string id) {
    d_.job_id = std::move(id);
    return *this;
  }
  deployment_builder& attempt(std::int32_t a) {
    d_.attempt = a;
    return *this;
  }
  deployment_builder& subtask(std::int32_t index, std::int32_t parallelism) {
    d_.subtask = index;
    d_.parallelism = parallelism;
    return *this;
  }
  deployment_builder& input_channels(std::int32_t n) {
    d_.num_input_channels = n;
    return *this;
  }
  deployment_builder& restored_from(std::int64_t checkpoint_id, std::string state) {
    d_.has_state = true;
    d_.state = std::move(state);
    d_.restored_checkpoint_id = checkpoint_id;
    return *this;
  }
  /// Who gets the task's state changes and metrics (`job`) and its acknowledgements.
  template <class Job, class Coordinator>
  deployment_builder& reporting_to(const Job& job, const Coordinator& coordinator) {
    d_.job = caf::actor_cast<task_report_actor>(job);
    d_.coordinator = caf::actor_cast<checkpoint_ack_actor>(coordinator);
    return *this;
  }
  template <class Both>
  deployment_builder& reporting_to(const Both& job_and_coordinator) {
    return reporting_to(job_and_coordinator, job_and_coordinator);
  }

  const task_deployment& build() const { return d_; }
  operator const task_deployment&() const { return d_; }

 private:
  task_deployment d_;
};

}  // namespace fjord::testing
