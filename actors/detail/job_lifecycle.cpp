#include "actors/detail/job_lifecycle.hpp"

namespace fjord {

job_lifecycle::job_lifecycle(restart_settings restart, std::vector<subtask> subtasks)
  : backoff_(restart) {
  for (auto& s : subtasks) {
    tasks_[s.key].is_source = s.is_source;
    if (s.is_source)
      ++sources_;
  }
}

bool job_lifecycle::begin_attempt() {
  if (!waiting_to_begin(attempt_))
    return false;
  phase_ = phase::restoring;
  zombies_.clear();  // given up on, if any are left: their down messages count as unknown
  return true;
}

bool job_lifecycle::on_restored(std::int32_t attempt) {
  if (!is_current(attempt) || phase_ != phase::restoring)
    return false;
  phase_ = phase::requesting_slots;
  return true;
}

bool job_lifecycle::on_slots(std::int32_t attempt) {
  if (!is_current(attempt) || phase_ != phase::requesting_slots)
    return false;
  phase_ = phase::deploying;
  return true;
}

job_lifecycle::deploy_result job_lifecycle::on_deployed(std::int32_t attempt,
                                                        const subtask_key& key) {
  deploy_result result;
  if (!is_current(attempt) || phase_ != phase::deploying)
    return result;
  auto i = tasks_.find(key);
  if (i == tasks_.end() || i->second.deployed)
    return result;
  auto& task = i->second;
  task.deployed = true;
  task.ref = next_ref_++;
  live_.emplace(*task.ref, key);
  result.ref = *task.ref;
  if (++deployed_ < total_tasks()) {
    result.outcome = deploy_outcome::accepted;
    return result;
  }
  phase_ = phase::wiring;
  result.outcome = deploy_outcome::all_there;
  return result;
}

bool job_lifecycle::tasks_deployed_or_deploying() const {
  return phase_ == phase::deploying || phase_ == phase::wiring || phase_ == phase::running;
}

void job_lifecycle::set_task_state(task_entry& task, task_state state) {
  if (task.state == task_state::running)
    --running_;
  if (task.state == task_state::finished)
    --finished_;
  task.state = state;
  if (state == task_state::running)
    ++running_;
  if (state == task_state::finished)
    ++finished_;
}

job_lifecycle::task_event job_lifecycle::on_task_state(std::int32_t attempt,
                                                       const subtask_key& key, task_state state) {
  if (!is_current(attempt) || !tasks_deployed_or_deploying())
    return task_event::ignored;
  auto i = tasks_.find(key);
  if (i == tasks_.end())
    return task_event::ignored;
  set_task_state(i->second, state);
  switch (state) {
    case task_state::running:
      // Once: a repeated report does not tell the coordinator again.
      if (phase_ != phase::wiring || running_ < total_tasks())
        return task_event::ignored;
      phase_ = phase::running;
      return task_event::all_running;
    case task_state::finished:
      return finished_ < total_tasks() ? task_event::ignored : task_event::all_finished;
    case task_state::failed:
      return task_event::failed;
    case task_state::canceled:
    case task_state::deploying:
      break;
  }
  return task_event::ignored;
}

bool job_lifecycle::on_end_of_input(std::int32_t attempt, const subtask_key& key) {
  if (!is_current(attempt) || !tasks_deployed_or_deploying())
    return false;
  auto i = tasks_.find(key);
  if (i == tasks_.end() || !i->second.is_source || i->second.exhausted)
    return false;
  i->second.exhausted = true;
  ++exhausted_sources_;
  return true;
}

bool job_lifecycle::take_sources_exhausted() {
  if (sources_exhausted_told_ || phase_ != phase::running || exhausted_sources_ < sources_)
    return false;
  sources_exhausted_told_ = true;
  return true;
}

job_lifecycle::failure_decision job_lifecycle::on_failure() {
  failure_decision decision;
  if (phase_ == phase::terminating || phase_ == phase::restart_scheduled)
    return decision;
  ++restarts_;
  auto delay = backoff_.delay_before(restarts_);
  if (!delay) {
    decision.outcome = failure_outcome::no_restarts_left;
    return decision;
  }
  decision.outcome = failure_outcome::restart;
  decision.delay = *delay;
  decision.stopped_attempt = attempt_;
  stop_attempt();
  ++attempt_;
  phase_ = phase::restart_scheduled;
  return decision;
}

void job_lifecycle::on_stop_confirmed(std::int32_t attempt) {
  if (unconfirmed_stop_ == attempt)
    unconfirmed_stop_.reset();
}

job_lifecycle::down_result job_lifecycle::on_down(task_ref ref) {
  down_result result;
  if (zombies_.erase(ref) > 0) {
    result.kind = down_kind::zombie;
    return result;
  }
  auto i = live_.find(ref);
  if (i == live_.end())
    return result;
  result.key = i->second;
  live_.erase(i);
  auto& task = tasks_.at(result.key);
  task.ref.reset();  // dead already: no zombie to wait for when the attempt stops
  result.kind = task.state == task_state::finished ? down_kind::finished_task : down_kind::live_task;
  return result;
}

bool job_lifecycle::terminate(job_state final_state) {
  if (phase_ == phase::terminating)
    return false;
  stop_attempt();
  phase_ = phase::terminating;
  final_state_ = final_state;
  return true;
}

void job_lifecycle::stop_attempt() {
  for (auto& [ref, key] : live_)
    zombies_.insert(ref);
  live_.clear();
  for (auto& [key, task] : tasks_) {
    auto is_source = task.is_source;
    task = task_entry{};
    task.is_source = is_source;
  }
  deployed_ = 0;
  running_ = 0;
  finished_ = 0;
  exhausted_sources_ = 0;
  sources_exhausted_told_ = false;
  unconfirmed_stop_ = attempt_;
}

job_state job_lifecycle::state() const {
  if (phase_ == phase::terminating)
    return final_state_;
  if (phase_ == phase::running)
    return job_state::running;
  return attempt_ > 0 ? job_state::restarting : job_state::created;
}

std::optional<task_state> job_lifecycle::state_of(const subtask_key& key) const {
  auto i = tasks_.find(key);
  if (i == tasks_.end())
    return std::nullopt;
  return i->second.state;
}

const char* to_string(job_lifecycle::phase p) {
  switch (p) {
    case job_lifecycle::phase::created:
      return "created";
    case job_lifecycle::phase::restoring:
      return "restoring";
    case job_lifecycle::phase::requesting_slots:
      return "requesting slots";
    case job_lifecycle::phase::deploying:
      return "deploying";
    case job_lifecycle::phase::wiring:
      return "wiring";
    case job_lifecycle::phase::running:
      return "running";
    case job_lifecycle::phase::restart_scheduled:
      return "restart scheduled";
    case job_lifecycle::phase::terminating:
      return "terminating";
  }
  return "unknown";
}

}  // namespace fjord
