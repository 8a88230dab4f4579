#include "actors/detail/restart_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace fjord {

std::optional<std::chrono::milliseconds> restart_backoff::delay_before(std::int32_t restart) const {
  if (settings_.kind == restart_strategy_kind::none || restart < 1
      || restart > settings_.max_attempts)
    return std::nullopt;
  if (settings_.kind == restart_strategy_kind::fixed_delay)
    return std::chrono::milliseconds{settings_.delay_ms};
  auto delay = static_cast<double>(settings_.delay_ms)
               * std::pow(std::max(1.0, settings_.multiplier), restart - 1);
  auto capped = std::min(delay, static_cast<double>(settings_.max_delay_ms));
  return std::chrono::milliseconds{static_cast<std::int64_t>(capped)};
}

}  // namespace fjord
