// The backoff of work retried until it succeeds (job recovery, an ended job's clean-up, a
// job's restore read): 250 ms after the first failure, doubling, at most 15 s.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace fjord::detail {

inline std::chrono::milliseconds retry_backoff(std::int32_t failures) {
  auto ms = std::int64_t{250} << std::clamp(failures, 0, 6);
  return std::chrono::milliseconds{std::min<std::int64_t>(ms, 15000)};
}

}  // namespace fjord::detail
