// Out-of-line helpers of the message structs (names of enums, lookups).
#include <algorithm>

#include "messages/checkpoint.hpp"
#include "fjord/errc.hpp"
#include "messages/job_graph.hpp"
#include "fjord/job_status.hpp"
#include "fjord/record.hpp"

namespace fjord {

std::string to_string(const subtask_key& key) {
  return key.first + "#" + std::to_string(key.second);
}

const char* to_string(partitioning p) {
  switch (p) {
    case partitioning::forward:
      return "forward";
    case partitioning::hash:
      return "hash";
    case partitioning::rebalance:
      return "rebalance";
    case partitioning::broadcast:
      return "broadcast";
  }
  return "unknown";
}

const char* to_string(restart_strategy_kind k) {
  switch (k) {
    case restart_strategy_kind::none:
      return "none";
    case restart_strategy_kind::fixed_delay:
      return "fixed-delay";
    case restart_strategy_kind::exponential_delay:
      return "exponential-delay";
  }
  return "unknown";
}

const char* to_string(job_state s) {
  switch (s) {
    case job_state::created:
      return "CREATED";
    case job_state::running:
      return "RUNNING";
    case job_state::restarting:
      return "RESTARTING";
    case job_state::finished:
      return "FINISHED";
    case job_state::canceled:
      return "CANCELED";
    case job_state::failed:
      return "FAILED";
    case job_state::suspended:
      return "SUSPENDED";
  }
  return "UNKNOWN";
}

bool is_globally_terminal(job_state s) {
  return s == job_state::finished || s == job_state::canceled || s == job_state::failed;
}

const char* to_string(task_state s) {
  switch (s) {
    case task_state::deploying:
      return "DEPLOYING";
    case task_state::running:
      return "RUNNING";
    case task_state::finished:
      return "FINISHED";
    case task_state::canceled:
      return "CANCELED";
    case task_state::failed:
      return "FAILED";
  }
  return "UNKNOWN";
}

const vertex_spec* job_graph::find_vertex(const std::string& id) const {
  for (auto& v : vertices)
    if (v.id == id)
      return &v;
  return nullptr;
}

std::vector<const edge_spec*> job_graph::inputs_of(const std::string& vertex_id) const {
  std::vector<const edge_spec*> result;
  for (auto& e : edges)
    if (e.to == vertex_id)
      result.push_back(&e);
  return result;
}

std::vector<const edge_spec*> job_graph::outputs_of(const std::string& vertex_id) const {
  std::vector<const edge_spec*> result;
  for (auto& e : edges)
    if (e.from == vertex_id)
      result.push_back(&e);
  return result;
}

std::int32_t job_graph::max_parallelism() const {
  std::int32_t result = 0;
  for (auto& v : vertices)
    result = std::max(result, v.parallelism);
  return result;
}

std::int32_t job_graph::total_subtasks() const {
  std::int32_t result = 0;
  for (auto& v : vertices)
    result += v.parallelism;
  return result;
}

const subtask_state* completed_checkpoint::find(const std::string& vertex,
                                                std::int32_t subtask) const {
  for (auto& s : states)
    if (s.vertex == vertex && s.subtask == subtask)
      return &s;
  return nullptr;
}

std::string record::to_line() const {
  switch (kind) {
    case record_kind::number:
      return std::to_string(number);
    case record_kind::text:
      return text;
    case record_kind::text_number:
      return text + ' ' + std::to_string(number);
  }
  return {};
}

const char* to_string(errc code) {
  switch (code) {
    case errc::not_leader:
      return "not_leader";
    case errc::fenced:
      return "fenced";
    case errc::unknown_job:
      return "unknown_job";
    case errc::already_exists:
      return "already_exists";
    case errc::invalid_job:
      return "invalid_job";
    case errc::no_slots:
      return "no_slots";
    case errc::no_running_task:
      return "no_running_task";
    case errc::store_unavailable:
      return "store_unavailable";
    case errc::conflict:
      return "conflict";
    case errc::corrupt:
      return "corrupt";
    case errc::not_found:
      return "not_found";
    case errc::io_error:
      return "io_error";
    case errc::invalid_state:
      return "invalid_state";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::store_failed:
      return "store_failed";
    case errc::deploy_failed:
      return "deploy_failed";
    case errc::plugin_failed:
      return "plugin_failed";
    case errc::no_route:
      return "no_route";
  }
  return "unknown_error";
}

}  // namespace fjord
