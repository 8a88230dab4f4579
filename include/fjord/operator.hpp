// The operator API: what a user implements to add a source, a transformation or a sink.
//
// Threading: an operator instance is owned by exactly one task actor and is only ever called
// from that actor's handlers, one call at a time. It must not block for long: no sleeping, no
// waiting on other tasks (files written by sinks are the accepted exception).
//
// Lifecycle, as driven by the task actor:
//   open(ctx) -> [restore(bytes, id)] -> { poll | process } ... with snapshot(id) at every
//   barrier and notify_checkpoint_complete(id) once a checkpoint is durable -> end_of_input
//   (non-sources, after the final barrier arrived on every input) -> final snapshot ->
//   notify_checkpoint_complete(final id) -> close().
// After a failure the task is discarded without close(); a new instance is restored.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <fjord/record.hpp>
#include <fjord/operator_params.hpp>

namespace fjord {

struct operator_context {
  std::string job_id;
  std::string vertex;
  std::int32_t subtask = 0;
  std::int32_t parallelism = 1;
  std::int32_t attempt = 0;
  operator_params params;
};

/// Where an operator puts its output. Cheap to call per record.
class collector {
 public:
  virtual ~collector() = default;
  virtual void emit(record r) = 0;
};

class operator_base {
 public:
  virtual ~operator_base() = default;

  /// Called once, before anything else. Parameters were validated already.
  virtual void open(const operator_context& ctx) { (void)ctx; }

  /// Called after open() when the task starts from checkpoint `checkpoint_id`, with the bytes
  /// this operator's snapshot() returned for it.
  virtual void restore(const std::string& bytes, std::int64_t checkpoint_id) {
    (void)bytes;
    (void)checkpoint_id;
  }

  /// Snapshot at the barrier of `checkpoint_id`: the state after every record before the
  /// barrier and none after it. Returns opaque bytes (see serialization/state_bytes.hpp).
  virtual std::string snapshot(std::int64_t checkpoint_id) = 0;

  /// The checkpoint `checkpoint_id` (and so every earlier one) is durable.
  virtual void notify_checkpoint_complete(std::int64_t checkpoint_id) { (void)checkpoint_id; }

  /// Orderly end after the final checkpoint completed.
  virtual void close() {}
};

/// A source produces records by being polled; the task polls again as long as there is
/// room downstream, so a source never has to block.
class source_operator : public operator_base {
 public:
  enum class poll_status {
    more,       ///< poll again soon
    idle,       ///< nothing now (rate limit): poll again after `wait`
    exhausted,  ///< bounded input completely emitted; never polled again
  };
  struct poll_result {
    poll_status status = poll_status::more;
    std::chrono::milliseconds wait{0};
  };

  /// Emits at most `max_records` records into `out`.
  virtual poll_result poll(collector& out, std::size_t max_records) = 0;
};

/// A transformation or a sink: called once per input record.
class stream_operator : public operator_base {
 public:
  virtual void process(const record& r, collector& out) = 0;

  /// Every input delivered its final barrier: emit what is still buffered. Called before the
  /// final snapshot.
  virtual void end_of_input(collector& out) { (void)out; }
};

}  // namespace fjord
