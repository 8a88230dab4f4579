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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const vertex_spec& a, const vertex_spec& b) {
  return a.id == b.id
         && a.op == b.op
         && a.parallelism == b.parallelism
         && a.params_json == b.params_json;
}

inline bool operator!=(const vertex_spec& a, const vertex_spec& b) {
  return !(a == b);
}

/// An operator plugin shipped with a job (`fjord submit --plugin`): the shared library's bytes,
/// addressed by their SHA-256. Persisted with the job graph, so a new leader recovers the job
/// with its code; TaskManagers fetch it by hash (fetch_plugin) and cache it.
struct plugin_blob {
  std::string name;    ///< the file name it was submitted as, for messages
  std::string sha256;  ///< lowercase hex of the bytes' SHA-256
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plugin_blob& x) {
  return f(caf::meta::type_name("fjord.plugin_blob"), x.name, x.sha256, x.bytes);
}

inline bool operator==(const plugin_blob& a, const plugin_blob& b) {
  return a.name == b.name && a.sha256 == b.sha256 && a.bytes == b.bytes;
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const edge_spec& a, const edge_spec& b) {
  return a.from == b.from
         && a.to == b.to
         && a.part == b.part;
}

inline bool operator!=(const edge_spec& a, const edge_spec& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const checkpoint_settings& a, const checkpoint_settings& b) {
  return a.interval_ms == b.interval_ms
         && a.timeout_ms == b.timeout_ms
         && a.max_concurrent == b.max_concurrent
         && a.min_pause_ms == b.min_pause_ms
         && a.num_retained == b.num_retained;
}

inline bool operator!=(const checkpoint_settings& a, const checkpoint_settings& b) {
  return !(a == b);
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

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const restart_settings& a, const restart_settings& b) {
  return a.kind == b.kind
         && a.max_attempts == b.max_attempts
         && a.delay_ms == b.delay_ms
         && a.max_delay_ms == b.max_delay_ms
         && a.multiplier == b.multiplier;
}

inline bool operator!=(const restart_settings& a, const restart_settings& b) {
  return !(a == b);
}

struct job_graph {
  std::string job_id;  ///< 32 lowercase hex digits, assigned at submission
  std::string name;
  std::vector<vertex_spec> vertices;  ///< in topological order (sources first)
  std::vector<edge_spec> edges;
  checkpoint_settings checkpoints;
  restart_settings restart;
  std::vector<plugin_blob> plugins;  ///< operator plugins the vertices may use

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
           x.checkpoints, x.restart, x.plugins);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const job_graph& a, const job_graph& b) {
  return a.job_id == b.job_id
         && a.name == b.name
         && a.vertices == b.vertices
         && a.edges == b.edges
         && a.checkpoints == b.checkpoints
         && a.restart == b.restart
         && a.plugins == b.plugins;
}

inline bool operator!=(const job_graph& a, const job_graph& b) {
  return !(a == b);
}

}  // namespace fjord
