// fjord::job and fjord::job_builder (include/fjord/job.hpp) over the spec parser.
#include <fjord/job.hpp>

#include "library/job_plugins.hpp"
#include "messages/job_graph.hpp"
#include "operators/job_spec.hpp"

namespace fjord {

job job::from_json(const std::string& spec, const std::vector<std::string>& sets,
                   const operator_registry& registry, const std::string& origin) {
  return job{std::make_shared<const job_graph>(parse_job_spec(spec, registry, sets, origin))};
}

job job::from_file(const std::string& path, const std::vector<std::string>& sets,
                   const operator_registry& registry) {
  return job{std::make_shared<const job_graph>(load_job_spec(path, registry, sets))};
}

job job::with_plugins(const std::string& spec, bool is_file,
                      const std::vector<std::string>& plugins,
                      const std::vector<std::string>& sets, const std::string& origin) {
  auto shipped = load_job_plugins(plugins);
  auto graph = is_file ? load_job_spec(spec, *shipped.registry, sets)
                       : parse_job_spec(spec, *shipped.registry, sets, origin);
  graph.plugins = std::move(shipped.blobs);
  return job{std::make_shared<const job_graph>(std::move(graph))};
}

job job::from_file_with_plugins(const std::string& path, const std::vector<std::string>& plugins,
                                const std::vector<std::string>& sets) {
  return with_plugins(path, true, plugins, sets, path);
}

const std::string& job::name() const {
  return graph_->name;
}

int job::slots_needed() const {
  return graph_->max_parallelism();
}

std::vector<std::string> job::vertices() const {
  std::vector<std::string> ids;
  for (auto& v : graph_->vertices)
    ids.push_back(v.id);
  return ids;
}

job_builder::job_builder(std::string name)
  : spec_({{"name", std::move(name)},
           {"vertices", nlohmann::json::array()},
           {"edges", nlohmann::json::array()}}) {}

job_builder& job_builder::vertex(const std::string& id, const std::string& op, int parallelism,
                                 nlohmann::json params) {
  spec_["vertices"].push_back(
    {{"id", id}, {"operator", op}, {"parallelism", parallelism}, {"params", std::move(params)}});
  return *this;
}

job_builder& job_builder::edge(const std::string& from, const std::string& to,
                               const std::string& partitioning) {
  spec_["edges"].push_back({{"from", from}, {"to", to}, {"partitioning", partitioning}});
  return *this;
}

job_builder& job_builder::checkpoint_interval(std::chrono::milliseconds interval) {
  spec_["checkpointing"]["interval_ms"] = interval.count();
  return *this;
}

job_builder& job_builder::restarts(int attempts, std::chrono::milliseconds delay) {
  spec_["restart_strategy"] = {
    {"type", "fixed-delay"}, {"attempts", attempts}, {"delay_ms", delay.count()}};
  return *this;
}

job_builder& job_builder::plugin(const std::string& path) {
  plugins_.push_back(path);
  return *this;
}

job job_builder::build(const operator_registry& registry) const {
  auto origin = "job '" + spec_.value("name", "") + "'";
  if (!plugins_.empty())
    return job::with_plugins(spec_.dump(), false, plugins_, {}, origin);
  return job::from_json(spec_.dump(), {}, registry, origin);
}

}  // namespace fjord
