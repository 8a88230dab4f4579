// The job graph: what a user submits (validated from a JSON spec), what the job-graph store
// persists and what the JobManager executes. Plain structs; CAF `inspect` lets them cross the
// middleman, cereal functions in serialization/records.hpp persist them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace fjord {

/// How records of an edge are routed from the upstream subtasks to the downstream ones.
enum class partitioning : std::uint8_t {
  forward,    ///< subtask i -> subtask i (parallelism must match)
  hash,       ///< by the downstream operator's key
  rebalance,  ///< round robin
  broadcast,  ///< every record to every downstream subtask
};

const char* to_string(partitioning p);

struct vertex_spec {
  std::string id;                ///< unique name within the job, e.g. "source"
  std::string op;                ///< operator name in the registry, e.g. "sequence"
  std::int32_t parallelism = 1;
  std::string params_json = "{}";  ///< operator parameters, a JSON object
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, vertex_spec& x) {
  return f(caf::meta::type_name("fjord.vertex_spec"), x.id, x.op, x.parallelism, x.params_json);
}

struct edge_spec {
  std::string from;
  std::string to;
  partitioning part = partitioning::forward;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, edge_spec& x) {
  return f(caf::meta::type_name("fjord.edge_spec"), x.from, x.to, x.part);
}

struct checkpoint_settings {
  std::int64_t interval_ms = 0;  ///< 0: periodic checkpoints off (the final one still runs)
  std::int64_t timeout_ms = 10000;
  std::int32_t max_concurrent = 1;
  std::int64_t min_pause_ms = 0;
  std::int32_t num_retained = 2;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_settings& x) {
  return f(caf::meta::type_name("fjord.checkpoint_settings"), x.interval_ms, x.timeout_ms,
           x.max_concurrent, x.min_pause_ms, x.num_retained);
}

enum class restart_strategy_kind : std::uint8_t { none, fixed_delay, exponential_delay };

const char* to_string(restart_strategy_kind k);

struct restart_settings {
  restart_strategy_kind kind = restart_strategy_kind::fixed_delay;
  std::int32_t max_attempts = 10;     ///< restarts allowed before the job fails for good
  std::int64_t delay_ms = 200;        ///< fixed delay, or the first delay of the exponential one
  std::int64_t max_delay_ms = 10000;  ///< cap of the exponential delay
  double multiplier = 2.0;            ///< growth of the exponential delay
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, restart_settings& x) {
  return f(caf::meta::type_name("fjord.restart_settings"), x.kind, x.max_attempts, x.delay_ms,
           x.max_delay_ms, x.multiplier);
}

struct job_graph {
  std::string job_id;  ///< 32 lowercase hex digits, assigned at submission
  std::string name;
  std::vector<vertex_spec> vertices;  ///< in topological order (sources first)
  std::vector<edge_spec> edges;
  checkpoint_settings checkpoints;
  restart_settings restart;

  const vertex_spec* find_vertex(const std::string& id) const;
  std::vector<const edge_spec*> inputs_of(const std::string& vertex_id) const;
  std::vector<const edge_spec*> outputs_of(const std::string& vertex_id) const;
  /// Slots needed with slot sharing: the largest vertex parallelism.
  std::int32_t max_parallelism() const;
  /// Number of subtasks over all vertices.
  std::int32_t total_subtasks() const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_graph& x) {
  return f(caf::meta::type_name("fjord.job_graph"), x.job_id, x.name, x.vertices, x.edges,
           x.checkpoints, x.restart);
}

}  // namespace fjord
