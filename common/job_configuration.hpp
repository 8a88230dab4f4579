// Configuration keys that change how a job runs (checkpointing and restarts). Applied on top of
// the job spec's own values: a key given in the configuration file or with -D wins.
//
//   execution.checkpointing.interval       duration, 0 = periodic checkpoints off
//   execution.checkpointing.timeout        duration
//   execution.checkpointing.max-concurrent integer >= 1
//   execution.checkpointing.min-pause      duration
//   state.checkpoints.num-retained         integer >= 1
//   restart-strategy                       fixed-delay | exponential-delay | none
//   restart-strategy.attempts              integer >= 0
//   restart-strategy.delay                 duration (the first delay of exponential-delay)
//   restart-strategy.max-delay             duration
//   restart-strategy.multiplier            number >= 1
#pragma once

#include "fjord/configuration.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

/// Throws config_error naming the key for a bad value.
void apply_job_configuration(const configuration& config, job_graph& graph);

}  // namespace fjord
