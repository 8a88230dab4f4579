// What the JobManager checks before it persists or runs a job graph: it trusts no client (a
// graph sent past the client's validation with parallelism 2^31-1 was persisted, then took
// down every leader that recovered it), so every graph, submitted or recovered from the store,
// passes the graph rules (operators/job_graph_validation.hpp), the JobManager's size limits,
// and the wiring plan the job actor computes when it starts.
//
// The same limits bound what else the JobManager is sent: the size of a submitted graph
// (jobmanager.max-graph-bytes) and the slots a TaskManager may register
// (taskmanager.max-slots). Job paths must lie in taskmanager.file-roots (common/file_roots.hpp).
//
// Pure functions of the graph (and, for file roots, of the file system): tested alone in
// tests/unit/job_admission_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/file_roots.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

class operator_registry;

/// `jobmanager.max-parallelism`, `jobmanager.max-tasks-per-job`, `jobmanager.max-graph-bytes`,
/// `taskmanager.max-slots` and `taskmanager.file-roots`.
struct job_limits {
  std::int32_t max_parallelism = 1024;    ///< per vertex
  std::int64_t max_tasks_per_job = 10000;  ///< subtasks over all vertices
  std::int64_t max_graph_bytes = 16 << 20;  ///< graph_bytes() of a submitted graph
  std::int32_t max_task_manager_slots = 256;  ///< slots one TaskManager may register
  file_roots roots;  ///< where job paths may point (default: anywhere)
};

/// The size of `graph` as persisted (cereal's binary archive: every string and list with an
/// 8-byte length, numbers as they are), computed from its fields without serializing it. The
/// plugins' bytes dominate it.
std::int64_t graph_bytes(const job_graph& graph);

/// Why a submitted graph is too large (one line naming jobmanager.max-graph-bytes), or nothing.
std::optional<std::string> size_problem(const job_graph& graph, const job_limits& limits);

/// Why a path parameter of `graph` must not be opened under `roots` ("vertices[0].params.path:
/// '/etc/passwd' is outside taskmanager.file-roots (/data)"), or nothing. Operators the
/// registry lacks (a plugin's) are checked by the TaskManager only.
std::optional<std::string> file_root_problem(const job_graph& graph, const file_roots& roots,
                                             const operator_registry& registry);

/// Why the JobManager must not run `graph` (its paths outside the file roots first: checking
/// the graph rules opens a file_lines path), in one line ("vertices[0].parallelism: 2147483647
/// is more than jobmanager.max-parallelism (1024)"), or nothing if it may. Never throws for a
/// bad graph.
std::optional<std::string> admission_problem(const job_graph& graph, const job_limits& limits,
                                             const operator_registry& registry);

}  // namespace fjord
