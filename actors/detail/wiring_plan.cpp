#include "actors/detail/wiring_plan.hpp"

#include <stdexcept>

namespace fjord {

std::map<subtask_key, planned_subtask> plan_wiring(const job_graph& graph) {
  std::map<subtask_key, planned_subtask> plan;
  for (auto& v : graph.vertices)
    for (std::int32_t i = 0; i < v.parallelism; ++i)
      plan[{v.id, i}];
  std::map<subtask_key, std::int32_t> next_output;  // flat output channel counter per sender
  for (auto& edge : graph.edges) {
    auto* from = graph.find_vertex(edge.from);
    auto* to = graph.find_vertex(edge.to);
    if (!from || !to)
      throw std::invalid_argument("edge " + edge.from + " -> " + edge.to
                                  + " names a missing vertex");
    if (edge.part == partitioning::forward && from->parallelism != to->parallelism)
      throw std::invalid_argument("forward edge " + edge.from + " -> " + edge.to
                                  + " between different parallelisms");
    for (std::int32_t u = 0; u < from->parallelism; ++u) {
      subtask_key sender{from->id, u};
      planned_output_gate gate;
      gate.edge = &edge;
      auto connect = [&](std::int32_t j) {
        subtask_key receiver{to->id, j};
        auto& inputs = plan[receiver].inputs;
        auto receiver_channel = static_cast<std::int32_t>(inputs.size());
        inputs.push_back({sender, next_output[sender]++});
        gate.channels.emplace_back(receiver, receiver_channel);
      };
      if (edge.part == partitioning::forward) {
        connect(u);
      } else {
        for (std::int32_t j = 0; j < to->parallelism; ++j)
          connect(j);
      }
      plan[sender].outputs.push_back(std::move(gate));
    }
  }
  return plan;
}

}  // namespace fjord
