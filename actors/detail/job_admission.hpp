// What the JobManager checks before it persists or runs a job graph: it trusts no client (a
// graph sent past the client's validation with parallelism 2^31-1 was persisted, then took
// down every leader that recovered it), so every graph, submitted or recovered from the store,
// passes the graph rules (operators/job_graph_validation.hpp), the JobManager's size limits,
// and the wiring plan the job actor computes when it starts.
//
// Pure functions of the graph: tested alone in tests/unit/job_admission_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "messages/job_graph.hpp"

namespace fjord {

class operator_registry;

/// `jobmanager.max-parallelism` and `jobmanager.max-tasks-per-job`.
struct job_limits {
  std::int32_t max_parallelism = 1024;    ///< per vertex
  std::int64_t max_tasks_per_job = 10000;  ///< subtasks over all vertices
};

/// Why the JobManager must not run `graph`, in one line ("vertices[0].parallelism: 2147483647
/// is more than jobmanager.max-parallelism (1024)"), or nothing if it may. Never throws for a
/// bad graph.
std::optional<std::string> admission_problem(const job_graph& graph, const job_limits& limits,
                                             const operator_registry& registry);

}  // namespace fjord
