#include "actors/detail/task_lifecycle.hpp"

namespace fjord {

bool task_lifecycle::advance(phase from, phase to) {
  if (phase_ != from)
    return false;
  phase_ = to;
  return true;
}

bool task_lifecycle::start() {
  return advance(phase::created, phase::running);
}

bool task_lifecycle::record_end_of_input() {
  if (!polling())
    return false;
  input_exhausted_ = true;
  return true;
}

bool task_lifecycle::record_final_barrier(std::int64_t checkpoint_id) {
  // A source's final barrier says "nothing follows": true only once its input is exhausted.
  if ((is_source() && !input_exhausted_) || !advance(phase::running, phase::ending))
    return false;
  final_checkpoint_id_ = checkpoint_id;
  return true;
}

bool task_lifecycle::finish() {
  return advance(phase::ending, phase::finished);
}

bool task_lifecycle::fail() {
  if (ignores_messages())
    return false;
  phase_ = phase::failed;
  return true;
}

std::optional<task_lifecycle::trigger_refusal> task_lifecycle::check_trigger(bool is_final) const {
  // Checkpoints start at the sources; a stream operator takes them on aligned barriers only.
  if (!is_source() || !active())
    return trigger_refusal::not_a_running_source;
  if (phase_ == phase::ending)
    return trigger_refusal::stream_ended;
  if (is_final && !input_exhausted_)
    return trigger_refusal::final_before_end_of_input;
  return std::nullopt;
}

bool task_lifecycle::is_final_commit(std::int64_t checkpoint_id, bool is_final) const {
  // An earlier checkpoint's commit may arrive after the final barrier: it only commits.
  return is_final && phase_ == phase::ending && final_checkpoint_id_ == checkpoint_id;
}

const char* to_string(task_lifecycle::trigger_refusal r) {
  switch (r) {
    case task_lifecycle::trigger_refusal::not_a_running_source:
      return "task is not a running source";
    case task_lifecycle::trigger_refusal::stream_ended:
      return "source already ended its stream";
    case task_lifecycle::trigger_refusal::final_before_end_of_input:
      return "final checkpoint before the end of input";
  }
  return "unknown";
}

}  // namespace fjord
