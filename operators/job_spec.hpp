// Job specs: the JSON a user writes to describe a job, validated into a job_graph. Every error
// is a spec_error whose one-line message names the field, e.g.
//   "vertices[0].paralelism: unknown field (expected one of: id, operator, parallelism, params)"
//
// Schema (every field not marked optional is required; unknown fields are errors):
//
//   { "name": "exactly-once sum",                        // optional, default "job"
//     "vertices": [                                      // at least one; sources first is not
//       { "id": "numbers",                               //   needed: the graph is sorted
//         "operator": "sequence",                        // a name from the operator registry
//         "parallelism": 4,                              // optional, integer >= 1, default 1
//         "params": {"from": 1, "to": 1000000} },        // optional object, checked by the
//       ... ],                                           //   operator ("fjord operators")
//     "edges": [                                         // optional, default []
//       { "from": "numbers", "to": "sums",
//         "partitioning": "hash" },                      // forward (default) | hash |
//       ... ],                                           //   rebalance | broadcast
//     "checkpointing": {                                 // optional; defaults as shown
//       "interval_ms": 0,                                // >= 0; 0 = only the final checkpoint
//       "timeout_ms": 10000,                             // > 0
//       "max_concurrent": 1,                             // >= 1
//       "min_pause_ms": 0,                               // >= 0
//       "num_retained": 2 },                             // >= 1
//     "restart_strategy": {                              // optional; defaults as shown
//       "type": "fixed-delay",                           // fixed-delay | exponential-delay | none
//       "attempts": 10,                                  // >= 0 restarts before failing for good
//       "delay_ms": 200,                                 // >= 0; first delay if exponential
//       "max_delay_ms": 10000,                           // >= 0; cap of the exponential delay
//       "multiplier": 2.0 } }                            // >= 1; growth of the exponential delay
//
// Graph rules (operators/job_graph_validation.hpp, which the JobManager applies to every graph
// too): vertex ids are unique and contain no '.'; edges connect existing, different vertices,
// at most once per pair, without cycles; a forward edge joins vertices of equal parallelism;
// sources have no inputs, every other vertex has at least one, sinks have no outputs; at least
// one source. Comments (// and /* */) are allowed in the JSON.
//
// Overrides ("sets", the CLI's --set PATH=VALUE), applied before validation. VALUE is parsed as
// JSON when it is valid JSON (4, true, "x", {...}), else taken as a string. PATH is one of
//   name | <vertex id>.parallelism | <vertex id>.<param> | checkpointing.<field> |
//   restart_strategy.<field>
// e.g. "numbers.to=5000", "out.output_dir=/tmp/out", "checkpointing.interval_ms=50".
//
// The result has its vertices in topological order (sources first), each vertex's params dumped
// compactly into vertex_spec::params_json, and an empty job_id (assigned at submission).
#pragma once

#include <string>
#include <vector>

#include "messages/job_graph.hpp"
#include "fjord/operator_registry.hpp"
#include "fjord/spec_error.hpp"

namespace fjord {

/// Parses and validates a job spec. `origin` names the text in errors that concern the whole
/// document (e.g. the file name). Throws spec_error.
job_graph parse_job_spec(const std::string& json_text, const operator_registry& registry,
                         const std::vector<std::string>& sets = {},
                         const std::string& origin = "job spec");

/// Reads the file at `path` and parses it; a file that cannot be read is a spec_error naming
/// the path.
job_graph load_job_spec(const std::string& path, const operator_registry& registry,
                        const std::vector<std::string>& sets = {});

/// Makes every relative path parameter (operator_descriptor::path_params) absolute against
/// `base`: a job submitted to a cluster then reads and writes where it would under `fjord run`
/// started in `base`.
void make_paths_absolute(job_graph& graph, const operator_registry& registry,
                         const std::string& base);

}  // namespace fjord
