// Job graph rules (see job_graph_validation.hpp).
#include "operators/job_graph_validation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "fjord/operator_params.hpp"

namespace fjord {

namespace {

using json = nlohmann::json;

std::string join(const std::vector<std::string>& items) {
  std::string result;
  for (auto& item : items)
    result += (result.empty() ? "" : ", ") + item;
  return result;
}

std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

std::string vertex_path(std::size_t i) {
  return "vertices[" + std::to_string(i) + "]";
}

/// A vertex as the rules see it; `role` is empty for an operator that comes with the graph's
/// plugins (not in the registry).
struct checked_vertex {
  const vertex_spec* spec;
  std::string path;
  std::optional<operator_role> role;
};

void check_params(const vertex_spec& v, const std::string& path,
                  const operator_descriptor* descriptor) {
  auto params = json::parse(v.params_json, nullptr, false);
  if (params.is_discarded())
    throw spec_error(path + ".params", "not valid JSON: " + v.params_json.substr(0, 60));
  if (!params.is_object())
    throw spec_error(path + ".params", "must be an object, got " + params.dump());
  if (descriptor == nullptr || !descriptor->validate)
    return;
  operator_params op_params{params, path + ".params"};
  try {
    descriptor->validate(op_params);
  } catch (const spec_error&) {
    throw;
  } catch (const std::exception& e) {
    throw spec_error(path + ".params", e.what());
  }
}

std::vector<checked_vertex> check_vertices(const job_graph& graph,
                                           const operator_registry& registry) {
  if (graph.vertices.empty())
    throw spec_error("vertices", "must not be empty: a job needs at least one vertex");
  std::vector<checked_vertex> result;
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < graph.vertices.size(); ++i) {
    auto& v = graph.vertices[i];
    auto path = vertex_path(i);
    if (v.id.empty())
      throw spec_error(path + ".id", "must be a non-empty string, got \"\"");
    if (v.id.find('.') != std::string::npos)
      throw spec_error(path + ".id", "must not contain '.' (--set uses it as a separator), got " +
                                       in_quotes(v.id));
    if (auto dup = index_of.find(v.id); dup != index_of.end())
      throw spec_error(path + ".id", "duplicate vertex id " + in_quotes(v.id) + " (also " +
                                       vertex_path(dup->second) + ")");
    index_of.emplace(v.id, i);
    if (v.op.empty())
      throw spec_error(path + ".operator", "must be a non-empty string, got \"\"");
    auto descriptor = registry.find(v.op);
    if (descriptor == nullptr && graph.plugins.empty())
      throw spec_error(path + ".operator", "unknown operator " + in_quotes(v.op) +
                                             " (known: " + join(registry.names()) + ")");
    if (v.parallelism < 1)
      throw spec_error(path + ".parallelism",
                       "must be >= 1, got " + std::to_string(v.parallelism));
    check_params(v, path, descriptor);
    std::optional<operator_role> role;
    if (descriptor != nullptr)
      role = descriptor->role;
    result.push_back(checked_vertex{&v, path, role});
  }
  return result;
}

void check_edges(const job_graph& graph, const std::vector<checked_vertex>& vertices) {
  std::map<std::string, const checked_vertex*> by_id;
  std::vector<std::string> ids;
  for (auto& v : vertices) {
    by_id.emplace(v.spec->id, &v);
    ids.push_back(v.spec->id);
  }
  auto vertex_ref = [&](const std::string& path, const std::string& id) {
    auto i = by_id.find(id);
    if (i == by_id.end())
      throw spec_error(path, "unknown vertex " + in_quotes(id) + " (vertices: " + join(ids) + ")");
    return i->second;
  };
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    auto& e = graph.edges[i];
    auto path = "edges[" + std::to_string(i) + "]";
    auto from = vertex_ref(path + ".from", e.from);
    auto to = vertex_ref(path + ".to", e.to);
    auto arrow = in_quotes(e.from) + " -> " + in_quotes(e.to);
    if (from == to)
      throw spec_error(path, "self-loop " + arrow + ": an edge must join two different vertices");
    auto [dup, inserted] = seen.emplace(std::make_pair(e.from, e.to), i);
    if (!inserted)
      throw spec_error(path, "duplicate edge " + arrow + " (also edges[" +
                               std::to_string(dup->second) + "])");
    if (e.part != partitioning::forward && e.part != partitioning::hash &&
        e.part != partitioning::rebalance && e.part != partitioning::broadcast)
      throw spec_error(path + ".partitioning",
                       "unknown partitioning (value " + std::to_string(int(e.part)) + ")");
    if (e.part == partitioning::forward && from->spec->parallelism != to->spec->parallelism)
      throw spec_error(path + ".partitioning",
                       "forward needs equal parallelism, but " + in_quotes(e.from) + " has " +
                         std::to_string(from->spec->parallelism) + " and " + in_quotes(e.to) +
                         " has " + std::to_string(to->spec->parallelism) +
                         " (use rebalance or hash)");
    if (to->role == operator_role::source)
      throw spec_error(path + ".to", in_quotes(e.to) + " is a source (operator " +
                                       in_quotes(to->spec->op) + ") and cannot have inputs");
    if (from->role == operator_role::sink)
      throw spec_error(path + ".from", in_quotes(e.from) + " is a sink (operator " +
                                         in_quotes(from->spec->op) + ") and cannot have outputs");
  }
}

void check_inputs(const job_graph& graph, const std::vector<checked_vertex>& vertices,
                  const operator_registry& registry) {
  // A plugin's operator may be the source: the rule is checked only when every role is known.
  bool has_source = std::any_of(vertices.begin(), vertices.end(), [](const checked_vertex& v) {
    return !v.role || *v.role == operator_role::source;
  });
  if (!has_source) {
    std::vector<std::string> sources;
    for (auto& name : registry.names())
      if (registry.find(name)->role == operator_role::source)
        sources.push_back(name);
    throw spec_error("vertices",
                     "the job has no source (source operators: " + join(sources) + ")");
  }
  for (auto& v : vertices) {
    if (!v.role || *v.role == operator_role::source)
      continue;
    auto has_input = std::any_of(graph.edges.begin(), graph.edges.end(),
                                 [&](const edge_spec& e) { return e.to == v.spec->id; });
    if (!has_input)
      throw spec_error(v.path, in_quotes(v.spec->id) + " (operator " + in_quotes(v.spec->op) +
                                 ") has no input edge; only sources may have none");
  }
}

void at_least(std::int64_t value, std::int64_t min, const std::string& field) {
  if (value < min)
    throw spec_error(field, "must be >= " + std::to_string(min) + ", got " +
                              std::to_string(value));
}

void check_settings(const job_graph& graph) {
  auto& c = graph.checkpoints;
  at_least(c.interval_ms, 0, "checkpointing.interval_ms");
  at_least(c.timeout_ms, 1, "checkpointing.timeout_ms");
  at_least(c.max_concurrent, 1, "checkpointing.max_concurrent");
  at_least(c.min_pause_ms, 0, "checkpointing.min_pause_ms");
  at_least(c.num_retained, 1, "checkpointing.num_retained");
  auto& r = graph.restart;
  if (r.kind != restart_strategy_kind::none && r.kind != restart_strategy_kind::fixed_delay &&
      r.kind != restart_strategy_kind::exponential_delay)
    throw spec_error("restart_strategy.type",
                     "unknown restart strategy (value " + std::to_string(int(r.kind)) + ")");
  at_least(r.max_attempts, 0, "restart_strategy.attempts");
  at_least(r.delay_ms, 0, "restart_strategy.delay_ms");
  at_least(r.max_delay_ms, 0, "restart_strategy.max_delay_ms");
  if (!(r.multiplier >= 1.0) || !std::isfinite(r.multiplier))
    throw spec_error("restart_strategy.multiplier",
                     "must be a number >= 1, got " + std::to_string(r.multiplier));
}

}  // namespace

void validate_job_graph(const job_graph& graph, const operator_registry& registry) {
  auto vertices = check_vertices(graph, registry);
  check_edges(graph, vertices);
  check_inputs(graph, vertices, registry);
  topological_order(graph);
  check_settings(graph);
}

std::vector<vertex_spec> topological_order(const job_graph& graph) {
  auto& vertices = graph.vertices;
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < vertices.size(); ++i)
    index_of[vertices[i].id] = i;
  std::vector<std::size_t> in_degree(vertices.size(), 0);
  std::vector<std::vector<std::size_t>> successors(vertices.size());
  std::vector<std::vector<std::size_t>> predecessors(vertices.size());
  for (auto& e : graph.edges) {
    auto from = index_of.at(e.from);
    auto to = index_of.at(e.to);
    successors[from].push_back(to);
    predecessors[to].push_back(from);
    ++in_degree[to];
  }
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < vertices.size(); ++i)
    if (in_degree[i] == 0)
      ready.insert(i);
  std::vector<vertex_spec> result;
  std::vector<bool> done(vertices.size(), false);
  while (!ready.empty()) {
    auto i = *ready.begin();
    ready.erase(ready.begin());
    done[i] = true;
    result.push_back(vertices[i]);
    for (auto s : successors[i])
      if (--in_degree[s] == 0)
        ready.insert(s);
  }
  if (result.size() < vertices.size()) {
    // Every vertex left has a predecessor that is also left; walking back through those
    // |V| times ends on a vertex of a cycle (not one merely downstream of it).
    std::size_t v = 0;
    while (done[v])
      ++v;
    for (std::size_t step = 0; step < vertices.size(); ++step)
      for (auto p : predecessors[v])
        if (!done[p]) {
          v = p;
          break;
        }
    throw spec_error("edges", "cycle through vertex " + in_quotes(vertices[v].id) +
                                " (a job graph must be acyclic)");
  }
  return result;
}

}  // namespace fjord
