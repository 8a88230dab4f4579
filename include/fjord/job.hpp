// A job ready to submit: loaded from a JSON spec (the format of examples/jobs/*.json) or built
// in C++, and in both cases validated the same way against the operators of a registry — an
// unknown operator, a bad parameter or a cycle is a fjord::spec_error naming the field:
//
//   auto job = fjord::job_builder{"squares"}
//                .vertex("numbers", "sequence", 2, {{"from", 1}, {"to", 1000}})
//                .vertex("square", "my_square", 2)
//                .vertex("out", "transactional_file", 1, {{"output_dir", "out/squares"}})
//                .edge("numbers", "square", "forward")
//                .edge("square", "out", "rebalance")
//                .checkpoint_interval(std::chrono::milliseconds{100})
//                .build();
//   auto same = fjord::job::from_file("squares.json");
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fjord/operator_registry.hpp>
#include <fjord/spec_error.hpp>

namespace fjord {

struct job_graph;

class job {
 public:
  /// Parses and validates a spec. `sets` are overrides "vertex.param=value" (as `--set`);
  /// `origin` names the text in errors about the whole document. Throws spec_error.
  static job from_json(const std::string& spec, const std::vector<std::string>& sets = {},
                       const operator_registry& registry = operator_registry::global(),
                       const std::string& origin = "job spec");
  /// The same for the file at `path` (an unreadable file is a spec_error naming it).
  static job from_file(const std::string& path, const std::vector<std::string>& sets = {},
                       const operator_registry& registry = operator_registry::global());

  /// The same for a spec whose operators may come from operator plugins (FJORD_PLUGIN shared
  /// libraries, fjord/plugin.hpp): each is loaded here first — a plugin built against another
  /// Fjord version or that does not load throws std::runtime_error with one line naming the
  /// file — the spec is validated with the built-ins plus their operators, and the plugins are
  /// shipped with the job when it is submitted (to a cluster too: its TaskManagers fetch them).
  static job from_file_with_plugins(const std::string& path,
                                    const std::vector<std::string>& plugins,
                                    const std::vector<std::string>& sets = {});

  const std::string& name() const;
  /// Slots the job needs (with slot sharing: its largest vertex parallelism).
  int slots_needed() const;
  /// Vertex ids in topological order (sources first).
  std::vector<std::string> vertices() const;

  /// The validated graph (Fjord's own code; not part of the stable API).
  const job_graph& graph() const { return *graph_; }

 private:
  explicit job(std::shared_ptr<const job_graph> graph) : graph_(std::move(graph)) {}
  static job with_plugins(const std::string& spec, bool is_file,
                          const std::vector<std::string>& plugins,
                          const std::vector<std::string>& sets, const std::string& origin);
  friend class job_builder;
  std::shared_ptr<const job_graph> graph_;
};

/// Builds the JSON spec of a job step by step; build() validates it like job::from_json.
class job_builder {
 public:
  explicit job_builder(std::string name);

  /// A vertex running operator `op` (a name of the registry) in `parallelism` subtasks, with
  /// the operator's parameters (a JSON object, as under "params" in a spec).
  job_builder& vertex(const std::string& id, const std::string& op, int parallelism = 1,
                      nlohmann::json params = nlohmann::json::object());
  /// An edge; `partitioning` is "forward", "rebalance", "hash" or "broadcast".
  job_builder& edge(const std::string& from, const std::string& to,
                    const std::string& partitioning = "forward");
  job_builder& checkpoint_interval(std::chrono::milliseconds interval);
  /// Fixed-delay restarts: at most `attempts`, `delay` apart.
  job_builder& restarts(int attempts, std::chrono::milliseconds delay);

  /// The spec as JSON (what from_json reads).
  const nlohmann::json& spec() const { return spec_; }
  job build(const operator_registry& registry = operator_registry::global()) const;
  /// Ships the operator plugin at `path` with the job; build() then loads it and validates the
  /// spec with its operators as job::from_file_with_plugins does (the registry given to build()
  /// is then not used).
  job_builder& plugin(const std::string& path);

 private:
  nlohmann::json spec_;
  std::vector<std::string> plugins_;
};

}  // namespace fjord
