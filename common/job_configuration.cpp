#include "common/job_configuration.hpp"

#include <fmt/format.h>

namespace fjord {

namespace {

void require(bool ok, const std::string& key, const std::string& problem) {
  if (!ok)
    throw config_error(fmt::format("{}: {}", key, problem));
}

}  // namespace

void apply_job_configuration(const configuration& config, job_graph& graph) {
  auto& cp = graph.checkpoints;
  using std::chrono::milliseconds;
  cp.interval_ms =
    config.get_duration("execution.checkpointing.interval", milliseconds{cp.interval_ms}).count();
  cp.timeout_ms =
    config.get_duration("execution.checkpointing.timeout", milliseconds{cp.timeout_ms}).count();
  require(cp.timeout_ms > 0, "execution.checkpointing.timeout", "must be positive");
  cp.max_concurrent = static_cast<std::int32_t>(
    config.get_int("execution.checkpointing.max-concurrent", cp.max_concurrent));
  require(cp.max_concurrent >= 1, "execution.checkpointing.max-concurrent", "must be >= 1");
  cp.min_pause_ms =
    config.get_duration("execution.checkpointing.min-pause", milliseconds{cp.min_pause_ms})
      .count();
  cp.num_retained =
    static_cast<std::int32_t>(config.get_int("state.checkpoints.num-retained", cp.num_retained));
  require(cp.num_retained >= 1, "state.checkpoints.num-retained", "must be >= 1");

  auto& rs = graph.restart;
  if (auto kind = config.find("restart-strategy")) {
    if (*kind == "fixed-delay")
      rs.kind = restart_strategy_kind::fixed_delay;
    else if (*kind == "exponential-delay")
      rs.kind = restart_strategy_kind::exponential_delay;
    else if (*kind == "none")
      rs.kind = restart_strategy_kind::none;
    else
      throw config_error(fmt::format("restart-strategy: unknown strategy '{}' (use fixed-delay, "
                                     "exponential-delay or none)",
                                     *kind));
  }
  rs.max_attempts =
    static_cast<std::int32_t>(config.get_int("restart-strategy.attempts", rs.max_attempts));
  require(rs.max_attempts >= 0, "restart-strategy.attempts", "must be >= 0");
  rs.delay_ms = config.get_duration("restart-strategy.delay", milliseconds{rs.delay_ms}).count();
  rs.max_delay_ms =
    config.get_duration("restart-strategy.max-delay", milliseconds{rs.max_delay_ms}).count();
  rs.multiplier = config.get_double("restart-strategy.multiplier", rs.multiplier);
  require(rs.multiplier >= 1.0, "restart-strategy.multiplier", "must be >= 1");
}

}  // namespace fjord
