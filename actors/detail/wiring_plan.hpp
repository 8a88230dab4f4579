// Which subtask sends to which: the channels of every subtask of a job graph, computed once per
// job from the graph alone (no actors), so that deployment (the number of input channels) and
// wiring (the handles) agree, and so it can be tested alone.
//
// For an edge a -> b: `forward` connects subtask i of a to subtask i of b only; every other
// partitioning connects each subtask of a to every subtask of b. A sender's output channels are
// numbered gate by gate (edges in graph order), a receiver's input channels in the order the
// edges and senders are visited.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "actors/detail/pending_checkpoint.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

struct planned_output_gate {
  const edge_spec* edge = nullptr;
  std::vector<std::pair<subtask_key, std::int32_t>> channels;  ///< (receiver, its input channel)
};

struct planned_input_channel {
  subtask_key sender;
  std::int32_t sender_channel = 0;  ///< flat output channel index at the sender
};

struct planned_subtask {
  std::vector<planned_output_gate> outputs;
  std::vector<planned_input_channel> inputs;
};

/// Every subtask of `graph`, keyed by (vertex, subtask index).
std::map<subtask_key, planned_subtask> plan_wiring(const job_graph& graph);

}  // namespace fjord
