// A task's lifecycle, without messages: deployed, running, ending its stream (the final barrier
// went downstream, the final commit has not come yet), finished or failed; and, for a source,
// whether its input is exhausted. The task actor (actors/task.cpp) asks it whether to take a
// checkpoint, whether a notification is the final commit and whether to ignore a message, and
// turns the answers into messages; everything here is plain state, tested alone
// (tests/unit/task_lifecycle_test.cpp).
//
// Not thread-safe: owned by one task actor.
#pragma once

#include <cstdint>
#include <optional>

namespace fjord {

class task_lifecycle {
 public:
  /// What the task's operator is: a source is polled and takes checkpoints on a trigger, a
  /// stream operator (transformation or sink) takes them once a barrier aligned on its inputs.
  enum class role { source, stream };

  enum class phase {
    created,   ///< deployed (operator opened and restored), waiting for start_task
    running,   ///< wired: processes input, takes checkpoints
    ending,    ///< the final barrier went downstream; waits for the final checkpoint's commit
    finished,  ///< the final checkpoint was committed and the operator closed
    failed,    ///< failed (reported once); nothing more happens
  };

  /// Why a trigger_checkpoint is declined; to_string() gives the reason the coordinator reports.
  enum class trigger_refusal {
    not_a_running_source,       ///< a stream operator, or a source before start_task
    stream_ended,               ///< the source sent its final barrier already
    final_before_end_of_input,  ///< a final checkpoint while the source still has input
  };

  explicit task_lifecycle(role r) : role_(r) {}

  // Transitions. Each returns false, and changes nothing, when it is not allowed in the current
  // phase: a caller that got false has hit a protocol violation, not a no-op to paper over.

  /// created -> running, once the channels are wired.
  bool start();
  /// A running source polled its last record. False for a stream operator, outside running, or
  /// the second time.
  bool record_end_of_input();
  /// running -> ending: the barrier of final checkpoint `checkpoint_id` was emitted downstream
  /// and acknowledged. A source may end only after its input is exhausted.
  bool record_final_barrier(std::int64_t checkpoint_id);
  /// ending -> finished, after the final commit closed the operator.
  bool finish();
  /// Any phase but finished or failed -> failed. True only for the call that changed the phase,
  /// so a task reports its failure once, and never after it finished.
  bool fail();

  // Questions the handlers ask.

  /// Whether trigger_checkpoint (for final checkpoint or not) may be taken now; the reason to
  /// decline otherwise. Only meaningful while the task accepts messages (!ignores_messages()):
  /// a finished or failed task ignores triggers instead of declining them.
  std::optional<trigger_refusal> check_trigger(bool is_final) const;
  /// Whether notify_checkpoint_complete{checkpoint_id, is_final} commits the final checkpoint
  /// this task ended its stream with: then it closes and finishes.
  bool is_final_commit(std::int64_t checkpoint_id, bool is_final) const;
  /// Finished or failed: every message is ignored from now on.
  bool ignores_messages() const { return phase_ == phase::finished || phase_ == phase::failed; }
  /// Started and not over (running or ending): input is processed, credits are spent.
  bool active() const { return phase_ == phase::running || phase_ == phase::ending; }
  /// A running source with input left: it is polled.
  bool polling() const { return is_source() && phase_ == phase::running && !input_exhausted_; }

  phase current_phase() const { return phase_; }
  bool is_source() const { return role_ == role::source; }
  bool input_exhausted() const { return input_exhausted_; }
  /// The final checkpoint's id once ending (or finished after it).
  std::optional<std::int64_t> final_checkpoint_id() const { return final_checkpoint_id_; }

 private:
  /// The transition from -> to; false, and nothing changes, in any other phase.
  bool advance(phase from, phase to);

  role role_;
  phase phase_ = phase::created;
  bool input_exhausted_ = false;
  std::optional<std::int64_t> final_checkpoint_id_;
};

/// The decline reason as the coordinator reports it ("declined by src#0: <reason>").
const char* to_string(task_lifecycle::trigger_refusal r);

}  // namespace fjord
