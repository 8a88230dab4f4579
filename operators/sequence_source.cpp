// Source "sequence": the integers from..to, split into `parallelism` contiguous ranges.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "operators/builtin_operators.hpp"
#include "operators/rate_limiter.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

namespace {

using int128 = __int128;

void validate_sequence(const operator_params& p) {
  p.allow_only({"from", "to", "rate_per_subtask"});
  auto from = p.get_int("from");
  auto to = p.get_int("to");
  if (to < from)
    p.fail("to", "must be >= from (" + std::to_string(from) + "), got " + std::to_string(to));
  // Positions are int64 counts: the range must have fewer than 2^63 values.
  if (int128{to} - int128{from} + 1 > int128{INT64_MAX})
    p.fail("to", "the range from..to is too large (at most 2^63 - 1 values)");
  if (p.get_double("rate_per_subtask", 0) < 0)
    p.fail("rate_per_subtask", "must be >= 0 (0 = unlimited)");
}

class sequence_source : public source_operator {
 public:
  // Checked again here: a graph may reach a TaskManager without the client's validation, and
  // to < from or a range of 2^63 values or more would make the split below overflow.
  void open(const operator_context& ctx) override {
    validate_sequence(ctx.params);
    auto from = ctx.params.get_int("from");
    auto to = ctx.params.get_int("to");
    int128 n = int128{to} - int128{from} + 1;
    int128 p = ctx.parallelism < 1 ? 1 : ctx.parallelism;
    int128 i = ctx.subtask;
    // Subtask i gets [from + n*i/p, from + n*(i+1)/p): contiguous, sizes differ by at most 1.
    first_ = static_cast<std::int64_t>(int128{from} + n * i / p);
    count_ = static_cast<std::int64_t>(n * (i + 1) / p - n * i / p);
    // Paced in steps of 50 ms worth of records, with a bucket of 100 ms so that a late poll
    // loses nothing: polled for every record or two (1,000 slow sources: 100,000 timers, polls
    // and one-record batches a second), the runtime spent its time on timers and messages.
    auto rate = ctx.params.get_double("rate_per_subtask", 0);
    limiter_ = rate_limiter{rate, std::chrono::milliseconds{100}};
    step_ = static_cast<std::size_t>(std::max(1.0, rate * 0.05));
  }

  void restore(const std::string& bytes, std::int64_t) override {
    auto position = from_bytes<std::int64_t>(bytes);
    if (position < 0 || position > count_)
      throw std::runtime_error("sequence: restored position " + std::to_string(position) +
                               " is outside this subtask's range of " +
                               std::to_string(count_) + " values");
    position_ = position;
  }

  std::string snapshot(std::int64_t) override { return to_bytes(position_); }

  poll_result poll(collector& out, std::size_t max_records) override {
    auto now = rate_limiter::clock::now();
    auto remaining = static_cast<std::size_t>(count_ - position_);
    auto wanted = std::min(max_records, remaining);
    auto granted = limiter_.acquire(wanted, now);
    for (std::size_t k = 0; k < granted; ++k) {
      // first_ + position_ cannot overflow: it is at most `to`.
      out.emit(record::of(static_cast<std::int64_t>(int128{first_} + position_)));
      ++position_;
    }
    if (position_ == count_)
      return {poll_status::exhausted, {}};
    if (granted < wanted)
      return {poll_status::idle, limiter_.wait_until_available(std::min(step_, wanted - granted),
                                                                 now)};
    return {poll_status::more, {}};
  }

 private:
  std::int64_t first_ = 0;
  std::int64_t count_ = 0;
  std::int64_t position_ = 0;  ///< values of this subtask's range emitted so far
  rate_limiter limiter_;
  std::size_t step_ = 1;  ///< records to wait for when idle
};

}  // namespace

operator_descriptor sequence_source_descriptor() {
  operator_descriptor d;
  d.name = "sequence";
  d.role = operator_role::source;
  d.description = "the integers from..to (params from, to, rate_per_subtask), split over subtasks";
  d.validate = validate_sequence;
  d.create = [] { return std::make_unique<sequence_source>(); };
  return d;
}

}  // namespace fjord
