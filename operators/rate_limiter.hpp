// A token bucket for rate-limited sources: how many records may go out now, and how long until
// the next one is due. Never sleeps: a source returns poll_status::idle with wait_until_next()
// and the task polls again later. Times are passed in, so tests need no real waiting.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <optional>

namespace fjord {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// `per_second` <= 0 means unlimited. The bucket holds `burst` worth of records (at least
  /// one).
  explicit rate_limiter(double per_second = 0,
                        std::chrono::milliseconds burst = std::chrono::milliseconds{10})
    : rate_(per_second),
      capacity_(std::max(1.0, per_second * static_cast<double>(burst.count()) / 1000.0)) {}

  bool unlimited() const { return rate_ <= 0; }

  /// Takes up to `wanted` tokens and returns how many were granted. The bucket holds at most
  /// its burst worth of records (10 ms unless told), so a source that was idle does not burst.
  std::size_t acquire(std::size_t wanted, clock::time_point now) {
    if (unlimited())
      return wanted;
    refill(now);
    auto granted = std::min<double>(static_cast<double>(wanted), std::floor(tokens_));
    tokens_ -= granted;
    return static_cast<std::size_t>(granted);
  }

  /// Time until the next token is available; at least 1 ms so a caller never spins.
  std::chrono::milliseconds wait_until_next(clock::time_point now) {
    return wait_until_available(1, now);
  }

  /// Time until `tokens` tokens (at most the bucket's capacity) are available; at least 1 ms.
  std::chrono::milliseconds wait_until_available(std::size_t tokens, clock::time_point now) {
    if (unlimited())
      return std::chrono::milliseconds{0};
    refill(now);
    auto wanted = std::min(capacity_, std::max(1.0, static_cast<double>(tokens)));
    auto missing = std::max(0.0, wanted - tokens_);
    auto ms = static_cast<long long>(std::ceil(missing / rate_ * 1000.0));
    return std::chrono::milliseconds{std::max(1LL, ms)};
  }

 private:
  void refill(clock::time_point now) {
    if (!last_) {
      last_ = now;
      tokens_ = capacity_;
      return;
    }
    if (now <= *last_)
      return;
    std::chrono::duration<double> elapsed = now - *last_;
    tokens_ = std::min(capacity_, tokens_ + elapsed.count() * rate_);
    last_ = now;
  }

  double rate_;
  double capacity_;
  double tokens_ = 0;
  std::optional<clock::time_point> last_;
};

}  // namespace fjord
