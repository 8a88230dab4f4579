// Job spec parsing and validation (see job_spec.hpp for the schema).
#include "operators/job_spec.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "operators/job_graph_validation.hpp"

namespace fjord {

namespace {

using json = nlohmann::json;

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string result;
  for (auto& item : items)
    result += (result.empty() ? "" : sep) + item;
  return result;
}

std::string field_of(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

void check_known_fields(const json& obj, const std::string& path,
                        const std::vector<std::string>& known) {
  for (auto& [key, value] : obj.items()) {
    (void)value;
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw spec_error(field_of(path, key), "unknown field (expected one of: " + join(known) +
                                                ")");
  }
}

const json* find_field(const json& obj, const std::string& key) {
  auto i = obj.find(key);
  return i == obj.end() ? nullptr : &*i;
}

/// An integer field within [min, max]; `bound` says the lower bound as users read it (">= 1").
std::int64_t int_field(const json& obj, const std::string& path, const std::string& key,
                       std::int64_t fallback, std::int64_t min, const std::string& bound,
                       std::int64_t max = INT64_MAX) {
  auto value = find_field(obj, key);
  if (value == nullptr)
    return fallback;
  auto field = field_of(path, key);
  auto problem = "must be an integer " + bound + ", got " + value->dump();
  if (!value->is_number_integer())
    throw spec_error(field, problem);
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > std::uint64_t{INT64_MAX})
    throw spec_error(field, "must be at most " + std::to_string(max) + ", got " + value->dump());
  auto x = value->get<std::int64_t>();
  if (x < min)
    throw spec_error(field, problem);
  if (x > max)
    throw spec_error(field, "must be at most " + std::to_string(max) + ", got " + value->dump());
  return x;
}

std::string string_field(const json& obj, const std::string& path, const std::string& key) {
  auto value = find_field(obj, key);
  auto field = field_of(path, key);
  if (value == nullptr)
    throw spec_error(field, "missing");
  if (!value->is_string() || value->get<std::string>().empty())
    throw spec_error(field, "must be a non-empty string, got " + value->dump());
  return value->get<std::string>();
}

std::string type_name_of(const json& j) {
  return j.type_name();
}

// --- overrides --------------------------------------------------------------------------

json parse_set_value(const std::string& text) {
  auto value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json(text) : value;
}

json& section_object(json& doc, const std::string& section) {
  auto& obj = doc[section];
  if (obj.is_null())
    obj = json::object();
  if (!obj.is_object())
    throw spec_error(section, "must be an object, got " + obj.dump());
  return obj;
}

void apply_set(json& doc, const std::string& set) {
  auto eq = set.find('=');
  if (eq == std::string::npos || eq == 0)
    throw spec_error("--set " + set, "expected PATH=VALUE, e.g. numbers.parallelism=2");
  auto path = set.substr(0, eq);
  auto value = parse_set_value(set.substr(eq + 1));
  auto field = "--set " + path;
  if (path == "name") {
    doc["name"] = value;
    return;
  }
  auto dot = path.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == path.size())
    throw spec_error(field, "expected name, <vertex>.parallelism, <vertex>.<param>, "
                            "checkpointing.<field> or restart_strategy.<field>");
  auto head = path.substr(0, dot);
  auto rest = path.substr(dot + 1);
  if (head == "checkpointing" || head == "restart_strategy") {
    section_object(doc, head)[rest] = value;
    return;
  }
  std::vector<std::string> ids;
  auto vertices = doc.find("vertices");
  if (vertices != doc.end() && vertices->is_array()) {
    for (auto& v : *vertices) {
      if (!v.is_object() || !v.contains("id") || !v["id"].is_string())
        continue;
      auto id = v["id"].get<std::string>();
      if (id != head) {
        ids.push_back(id);
        continue;
      }
      if (rest == "parallelism") {
        v["parallelism"] = value;
      } else {
        auto& params = v["params"];
        if (params.is_null())
          params = json::object();
        if (!params.is_object())
          throw spec_error(field, "the params of vertex '" + head + "' are not an object");
        params[rest] = value;
      }
      return;
    }
  }
  throw spec_error(field, "unknown vertex '" + head + "' (vertices: " + join(ids) + ")");
}

// --- validation -------------------------------------------------------------------------


std::string in_quotes(const std::string& s) {
  return "'" + s + "'";
}

checkpoint_settings parse_checkpointing(const json& doc) {
  checkpoint_settings result;
  auto section = find_field(doc, "checkpointing");
  if (section == nullptr)
    return result;
  const std::string path = "checkpointing";
  if (!section->is_object())
    throw spec_error(path, "must be an object, got " + section->dump());
  check_known_fields(*section, path,
                     {"interval_ms", "timeout_ms", "max_concurrent", "min_pause_ms",
                      "num_retained"});
  result.interval_ms = int_field(*section, path, "interval_ms", result.interval_ms, 0, ">= 0");
  result.timeout_ms = int_field(*section, path, "timeout_ms", result.timeout_ms, 1, "> 0");
  result.max_concurrent = static_cast<std::int32_t>(
    int_field(*section, path, "max_concurrent", result.max_concurrent, 1, ">= 1", INT32_MAX));
  result.min_pause_ms = int_field(*section, path, "min_pause_ms", result.min_pause_ms, 0, ">= 0");
  result.num_retained = static_cast<std::int32_t>(
    int_field(*section, path, "num_retained", result.num_retained, 1, ">= 1", INT32_MAX));
  return result;
}

restart_settings parse_restart_strategy(const json& doc) {
  restart_settings result;
  auto section = find_field(doc, "restart_strategy");
  if (section == nullptr)
    return result;
  const std::string path = "restart_strategy";
  if (!section->is_object())
    throw spec_error(path, "must be an object, got " + section->dump());
  check_known_fields(*section, path,
                     {"type", "attempts", "delay_ms", "max_delay_ms", "multiplier"});
  if (auto type = find_field(*section, "type")) {
    auto expected = "(expected fixed-delay, exponential-delay or none)";
    if (!type->is_string())
      throw spec_error("restart_strategy.type",
                       "must be a string " + std::string{expected} + ", got " + type->dump());
    auto name = type->get<std::string>();
    if (name == "fixed-delay")
      result.kind = restart_strategy_kind::fixed_delay;
    else if (name == "exponential-delay")
      result.kind = restart_strategy_kind::exponential_delay;
    else if (name == "none")
      result.kind = restart_strategy_kind::none;
    else
      throw spec_error("restart_strategy.type",
                       "unknown restart strategy " + in_quotes(name) + " " + expected);
  }
  result.max_attempts = static_cast<std::int32_t>(
    int_field(*section, path, "attempts", result.max_attempts, 0, ">= 0", INT32_MAX));
  result.delay_ms = int_field(*section, path, "delay_ms", result.delay_ms, 0, ">= 0");
  result.max_delay_ms = int_field(*section, path, "max_delay_ms", result.max_delay_ms, 0, ">= 0");
  if (auto m = find_field(*section, "multiplier")) {
    if (!m->is_number() || m->get<double>() < 1.0)
      throw spec_error("restart_strategy.multiplier", "must be a number >= 1, got " + m->dump());
    result.multiplier = m->get<double>();
  }
  return result;
}

/// The vertices as written, in spec order; the graph rules are validate_job_graph's.
std::vector<vertex_spec> parse_vertices(const json& doc) {
  auto vertices = find_field(doc, "vertices");
  if (vertices == nullptr)
    throw spec_error("vertices", "missing: a job needs at least one vertex");
  if (!vertices->is_array())
    throw spec_error("vertices", "must be an array, got " + type_name_of(*vertices));
  std::vector<vertex_spec> result;
  for (std::size_t i = 0; i < vertices->size(); ++i) {
    auto& v = (*vertices)[i];
    auto path = "vertices[" + std::to_string(i) + "]";
    if (!v.is_object())
      throw spec_error(path, "must be an object, got " + v.dump());
    check_known_fields(v, path, {"id", "operator", "parallelism", "params"});
    vertex_spec spec;
    spec.id = string_field(v, path, "id");
    spec.op = string_field(v, path, "operator");
    spec.parallelism =
      static_cast<std::int32_t>(int_field(v, path, "parallelism", 1, 1, ">= 1", INT32_MAX));
    json params = json::object();
    if (auto p = find_field(v, "params")) {
      if (!p->is_object())
        throw spec_error(path + ".params", "must be an object, got " + p->dump());
      params = *p;
    }
    spec.params_json = params.dump();
    result.push_back(std::move(spec));
  }
  return result;
}

partitioning parse_partitioning(const json& edge, const std::string& path) {
  auto value = find_field(edge, "partitioning");
  if (value == nullptr)
    return partitioning::forward;
  auto expected = std::string{"(expected forward, hash, rebalance or broadcast)"};
  if (!value->is_string())
    throw spec_error(path + ".partitioning", "must be a string " + expected + ", got " +
                                               value->dump());
  auto name = value->get<std::string>();
  for (auto p : {partitioning::forward, partitioning::hash, partitioning::rebalance,
                 partitioning::broadcast})
    if (name == to_string(p))
      return p;
  throw spec_error(path + ".partitioning", "unknown partitioning " + in_quotes(name) + " " +
                                             expected);
}

/// The edges as written; whether they join existing vertices is validate_job_graph's rule.
std::vector<edge_spec> parse_edges(const json& doc) {
  std::vector<edge_spec> result;
  auto edges = find_field(doc, "edges");
  if (edges == nullptr)
    return result;
  if (!edges->is_array())
    throw spec_error("edges", "must be an array, got " + type_name_of(*edges));
  for (std::size_t i = 0; i < edges->size(); ++i) {
    auto& e = (*edges)[i];
    auto path = "edges[" + std::to_string(i) + "]";
    if (!e.is_object())
      throw spec_error(path, "must be an object, got " + e.dump());
    check_known_fields(e, path, {"from", "to", "partitioning"});
    auto from = string_field(e, path, "from");
    auto to = string_field(e, path, "to");
    result.push_back(edge_spec{from, to, parse_partitioning(e, path)});
  }
  return result;
}

std::string json_error_text(const json::parse_error& e) {
  // Drop the "[json.exception.parse_error.101] " prefix; keep "parse error at line 3, ...".
  std::string text = e.what();
  if (auto close = text.find("] "); text.rfind("[json.exception", 0) == 0 && close != text.npos)
    text = text.substr(close + 2);
  return text;
}

}  // namespace

job_graph parse_job_spec(const std::string& json_text, const operator_registry& registry,
                         const std::vector<std::string>& sets, const std::string& origin) {
  json doc;
  try {
    doc = json::parse(json_text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    throw spec_error(origin, "not valid JSON: " + json_error_text(e));
  }
  if (!doc.is_object())
    throw spec_error(origin, "must be a JSON object, got " + type_name_of(doc));
  for (auto& set : sets)
    apply_set(doc, set);

  check_known_fields(doc, "", {"name", "vertices", "edges", "checkpointing", "restart_strategy"});
  job_graph graph;
  graph.name = "job";
  if (auto name = find_field(doc, "name")) {
    if (!name->is_string() || name->get<std::string>().empty())
      throw spec_error("name", "must be a non-empty string, got " + name->dump());
    graph.name = name->get<std::string>();
  }
  graph.vertices = parse_vertices(doc);
  graph.edges = parse_edges(doc);
  // The graph rules, in spec order (errors name vertices[i] as written), before sorting; the
  // settings below check their own ranges with the JSON types.
  validate_job_graph(graph, registry);
  graph.vertices = topological_order(graph);
  graph.checkpoints = parse_checkpointing(doc);
  graph.restart = parse_restart_strategy(doc);
  return graph;
}

job_graph load_job_spec(const std::string& path, const operator_registry& registry,
                        const std::vector<std::string>& sets) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw spec_error(path, "is a directory, expected a JSON job spec file");
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw spec_error(path, std::string{"cannot read the job spec: "} + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw spec_error(path, "cannot read the job spec (read error)");
  return parse_job_spec(text.str(), registry, sets, path);
}

void make_paths_absolute(job_graph& graph, const operator_registry& registry,
                         const std::string& base) {
  for (auto& v : graph.vertices) {
    auto* d = registry.find(v.op);
    if (d == nullptr || d->path_params.empty())
      continue;
    auto params = json::parse(v.params_json);
    bool changed = false;
    for (auto& name : d->path_params) {
      auto i = params.find(name);
      if (i == params.end() || !i->is_string())
        continue;
      std::filesystem::path p = i->get<std::string>();
      if (p.empty() || p.is_absolute())
        continue;
      *i = (std::filesystem::path{base} / p).lexically_normal().string();
      changed = true;
    }
    if (changed)
      v.params_json = params.dump();
  }
}

}  // namespace fjord
