// The rules every job graph obeys, checked on the job_graph itself: by the spec parser for what
// a user wrote (operators/job_spec.hpp), and by the JobManager for every graph it is sent or
// recovers, since a graph may come from a client that skipped the parser (or an older one).
//
// Rules: at least one vertex; vertex ids are non-empty, unique and contain no '.'; every
// vertex has parallelism >= 1 and an operator of the registry whose parameter check (if any)
// passes on its params, a JSON object; edges join existing, different vertices, at most once
// per pair, without cycles; a forward edge joins vertices of equal parallelism; sources have no
// inputs, every other vertex has at least one, sinks have no outputs; at least one source; the
// checkpoint and restart settings are in range (job_spec.hpp lists them).
//
// An operator the registry lacks is accepted only when the graph ships plugins (its code comes
// with them: the TaskManager that loads them checks it when it opens the task); the rules that
// need its role or its parameter check are then skipped for that vertex.
//
// Errors are spec_error, named by position: "vertices[1].parallelism: must be >= 1, got 0",
// "edges[0].to: unknown vertex 'sink' (vertices: numbers, sums)".
#pragma once

#include <vector>

#include "fjord/operator_registry.hpp"
#include "fjord/spec_error.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

/// Throws spec_error for the first rule `graph` breaks.
void validate_job_graph(const job_graph& graph, const operator_registry& registry);

/// The vertices of `graph` in topological order (sources first), taking ready vertices in
/// their order in the graph so the result is deterministic. Throws spec_error naming a vertex
/// of a cycle. Every edge must join existing vertices.
std::vector<vertex_spec> topological_order(const job_graph& graph);

}  // namespace fjord
