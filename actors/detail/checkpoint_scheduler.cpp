#include "actors/detail/checkpoint_scheduler.hpp"

#include <algorithm>

namespace fjord {

checkpoint_scheduler::checkpoint_scheduler(checkpoint_settings settings) : settings_(settings) {
}

void checkpoint_scheduler::start_attempt(std::int32_t attempt, std::set<subtask_key> tasks) {
  attempt_ = attempt;
  phase_ = phase::running;
  final_ = final_phase::none;
  tasks_ = std::move(tasks);
  pending_.clear();
}

std::size_t checkpoint_scheduler::stop_attempt(std::int32_t attempt) {
  if (attempt != attempt_ || phase_ != phase::running)
    return 0;
  phase_ = phase::idle;
  auto aborted = pending_.size();
  pending_.clear();
  return aborted;
}

bool checkpoint_scheduler::request_final(std::int32_t attempt) {
  if (attempt != attempt_ || phase_ != phase::running)
    return false;
  if (final_ == final_phase::none)
    final_ = final_phase::requested;
  return true;
}

void checkpoint_scheduler::shut_down() {
  phase_ = phase::shut_down;
  pending_.clear();
}

bool checkpoint_scheduler::arm_tick() {
  if (tick_armed_ || settings_.interval_ms <= 0 || phase_ != phase::running)
    return false;
  tick_armed_ = true;
  return true;
}

checkpoint_scheduler::trigger_kind checkpoint_scheduler::next_trigger(clock::time_point now,
                                                                      bool periodic_tick) {
  if (phase_ != phase::running || id_in_flight_)
    return trigger_kind::none;
  if (final_ == final_phase::requested) {
    // The final checkpoint is the last one: it waits until nothing else is pending.
    if (!pending_.empty())
      return trigger_kind::none;
    id_in_flight_ = true;
    return trigger_kind::final_checkpoint;
  }
  if (!periodic_tick || final_ == final_phase::triggered)
    return trigger_kind::none;
  if (pending_.size() >= static_cast<std::size_t>(std::max(1, settings_.max_concurrent)))
    return trigger_kind::none;
  if (last_stored_ && now - *last_stored_ < std::chrono::milliseconds{settings_.min_pause_ms})
    return trigger_kind::none;
  id_in_flight_ = true;
  return trigger_kind::periodic;
}

bool checkpoint_scheduler::on_id(std::int32_t attempt, std::int64_t id, bool is_final,
                                 std::int64_t timestamp_ms, clock::time_point now) {
  id_in_flight_ = false;
  if (phase_ != phase::running || attempt != attempt_)
    return false;
  if (is_final) {
    if (final_ != final_phase::requested)
      return false;
    final_ = final_phase::triggered;
  }
  pending_.emplace(id, pending_entry{pending_checkpoint{id, timestamp_ms, is_final, tasks_}, now});
  return true;
}

bool checkpoint_scheduler::on_id_failed(std::int32_t attempt) {
  id_in_flight_ = false;
  return phase_ == phase::running && attempt == attempt_;
}

checkpoint_scheduler::ack_result checkpoint_scheduler::acknowledge(std::int32_t attempt,
                                                                   std::int64_t id,
                                                                   subtask_state&& state) {
  ack_result result;
  if (phase_ != phase::running || attempt != attempt_)
    return result;  // stale
  auto i = pending_.find(id);
  if (i == pending_.end()) {
    result.outcome = ack_outcome::not_pending;
    return result;
  }
  if (i->second.checkpoint.acknowledge(std::move(state))
      != pending_checkpoint::ack_result::accepted) {
    result.outcome = ack_outcome::ignored;
    return result;
  }
  if (!i->second.checkpoint.complete()) {
    result.outcome = ack_outcome::accepted;
    return result;
  }
  result.outcome = ack_outcome::complete;
  result.completed = std::move(i->second);
  pending_.erase(i);
  return result;
}

std::optional<checkpoint_scheduler::discarded> checkpoint_scheduler::discard(std::int32_t attempt,
                                                                             std::int64_t id) {
  if (phase_ != phase::running || attempt != attempt_)
    return std::nullopt;
  auto i = pending_.find(id);
  if (i == pending_.end())
    return std::nullopt;
  discarded d{i->second.checkpoint.is_final(), i->second.checkpoint.waiting()};
  pending_.erase(i);
  if (d.is_final && final_ == final_phase::triggered)
    final_ = final_phase::requested;  // take it again
  return d;
}

std::size_t checkpoint_scheduler::stored(std::int64_t id, clock::time_point now) {
  last_stored_ = now;
  std::size_t subsumed = 0;
  for (auto i = pending_.begin(); i != pending_.end() && i->first < id;) {
    i = pending_.erase(i);
    ++subsumed;
  }
  return subsumed;
}

const char* to_string(checkpoint_scheduler::phase p) {
  switch (p) {
    case checkpoint_scheduler::phase::idle:
      return "idle";
    case checkpoint_scheduler::phase::running:
      return "running";
    case checkpoint_scheduler::phase::shut_down:
      return "shut down";
  }
  return "unknown";
}

}  // namespace fjord
