#include "actors/detail/job_admission.hpp"

#include <exception>

#include <nlohmann/json.hpp>

#include "actors/detail/wiring_plan.hpp"
#include "fjord/operator_registry.hpp"
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

/// A string or list in cereal's binary archive: its 8-byte length, then its elements.
constexpr std::int64_t length_bytes = 8;

std::int64_t text_bytes(const std::string& s) {
  return length_bytes + static_cast<std::int64_t>(s.size());
}

}  // namespace

std::int64_t graph_bytes(const job_graph& graph) {
  std::int64_t total = text_bytes(graph.job_id) + text_bytes(graph.name);
  total += length_bytes;
  for (auto& v : graph.vertices)
    total += text_bytes(v.id) + text_bytes(v.op) + 4 + text_bytes(v.params_json);
  total += length_bytes;
  for (auto& e : graph.edges)
    total += text_bytes(e.from) + text_bytes(e.to) + 1;
  total += length_bytes;
  for (auto& p : graph.plugins)
    total += text_bytes(p.name) + text_bytes(p.sha256) + text_bytes(p.bytes);
  return total + 64;  // checkpoint and restart settings
}

std::optional<std::string> size_problem(const job_graph& graph, const job_limits& limits) {
  auto bytes = graph_bytes(graph);
  if (bytes > limits.max_graph_bytes)
    return "the job graph has " + std::to_string(bytes) + " bytes, more than "
           + "jobmanager.max-graph-bytes (" + std::to_string(limits.max_graph_bytes) + ")";
  return std::nullopt;
}

std::optional<std::string> file_root_problem(const job_graph& graph, const file_roots& roots,
                                             const operator_registry& registry) {
  if (roots.unrestricted())
    return std::nullopt;
  for (std::size_t i = 0; i < graph.vertices.size(); ++i) {
    auto& v = graph.vertices[i];
    auto* descriptor = registry.find(v.op);
    if (descriptor == nullptr || descriptor->path_params.empty())
      continue;
    auto params = nlohmann::json::parse(v.params_json, nullptr, false);
    if (!params.is_object())
      continue;  // the graph rules name it
    for (auto& name : descriptor->path_params) {
      auto value = params.find(name);
      if (value == params.end() || !value->is_string())
        continue;  // the operator's own check names it
      auto checked = roots.check(value->get<std::string>());
      if (!checked)
        return "vertices[" + std::to_string(i) + "].params." + name + ": " + checked.problem;
    }
  }
  return std::nullopt;
}

std::optional<std::string> admission_problem(const job_graph& graph, const job_limits& limits,
                                             const operator_registry& registry) {
  try {
    if (auto problem = file_root_problem(graph, limits.roots, registry))
      return problem;
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
