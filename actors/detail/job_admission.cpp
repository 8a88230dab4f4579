#include "actors/detail/job_admission.hpp"

#include <exception>

#include "actors/detail/wiring_plan.hpp"
#include "operators/job_graph_validation.hpp"

namespace fjord {

namespace {

std::optional<std::string> limit_problem(const job_graph& graph, const job_limits& limits) {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < graph.vertices.size(); ++i) {
    auto parallelism = graph.vertices[i].parallelism;
    if (parallelism > limits.max_parallelism)
      return "vertices[" + std::to_string(i) + "].parallelism: " + std::to_string(parallelism)
             + " is more than jobmanager.max-parallelism (" + std::to_string(limits.max_parallelism)
             + ")";
    total += parallelism;
  }
  if (total > limits.max_tasks_per_job)
    return "the job has " + std::to_string(total) + " subtasks, more than "
           + "jobmanager.max-tasks-per-job (" + std::to_string(limits.max_tasks_per_job) + ")";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> admission_problem(const job_graph& graph, const job_limits& limits,
                                             const operator_registry& registry) {
  try {
    validate_job_graph(graph, registry);
    // Limits only after the rules: they assume parallelism >= 1.
    if (auto problem = limit_problem(graph, limits))
      return problem;
    // The plan the job actor starts with; within the limits it is small, and computing it here
    // turns whatever it would throw in the job actor into this one line.
    plan_wiring(graph);
  } catch (const std::exception& e) {
    return std::string{e.what()};
  }
  return std::nullopt;
}

}  // namespace fjord
