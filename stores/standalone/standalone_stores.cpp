#include "stores/standalone/standalone_stores.hpp"

#include "common/ids.hpp"
#include "stores/store_error.hpp"

namespace fjord {

standalone_completed_checkpoint_store::standalone_completed_checkpoint_store(int max_retained)
  : max_retained_(max_retained < 1 ? 0 : static_cast<std::size_t>(max_retained)) {
  if (max_retained < 1)
    throw store_error(store_error::kind::invalid_argument,
                      "state.checkpoints.num-retained must be at least 1, got "
                        + std::to_string(max_retained));
}

void standalone_completed_checkpoint_store::add(const completed_checkpoint& checkpoint) {
  checkpoints_.push_back(checkpoint);
  while (checkpoints_.size() > max_retained_)
    checkpoints_.pop_front();
}

std::optional<completed_checkpoint> standalone_completed_checkpoint_store::latest() {
  if (checkpoints_.empty())
    return std::nullopt;
  return checkpoints_.back();
}

std::vector<completed_checkpoint> standalone_completed_checkpoint_store::all() {
  return {checkpoints_.begin(), checkpoints_.end()};
}

void standalone_completed_checkpoint_store::shutdown(job_state final_state) {
  if (is_globally_terminal(final_state))
    checkpoints_.clear();
}

std::unique_ptr<completed_checkpoint_store>
standalone_checkpoint_recovery_factory::create_completed_checkpoint_store(const std::string&,
                                                                          int max_retained) {
  return std::make_unique<standalone_completed_checkpoint_store>(max_retained);
}

std::unique_ptr<checkpoint_id_counter>
standalone_checkpoint_recovery_factory::create_checkpoint_id_counter(const std::string&) {
  return std::make_unique<standalone_checkpoint_id_counter>();
}

void standalone_submitted_job_graph_store::put(const submitted_job_graph& graph) {
  graphs_[graph.graph.job_id] = graph;
}

std::optional<submitted_job_graph>
standalone_submitted_job_graph_store::recover(const std::string& job_id) {
  auto i = graphs_.find(job_id);
  if (i == graphs_.end())
    return std::nullopt;
  return i->second;
}

recovered_job_graphs standalone_submitted_job_graph_store::recover_all() {
  recovered_job_graphs result;
  for (auto& [id, graph] : graphs_)
    result.graphs.push_back(graph);
  return result;
}

void standalone_submitted_job_graph_store::remove(const std::string& job_id) {
  graphs_.erase(job_id);
}

std::vector<std::string> standalone_submitted_job_graph_store::job_ids() {
  std::vector<std::string> result;
  for (auto& [id, graph] : graphs_)
    result.push_back(id);
  return result;
}

void standalone_leader_election_service::start(leader_contender* contender) {
  running_ = true;
  session_id_ = new_uuid();
  contender->grant_leadership(session_id_);
}

void standalone_leader_election_service::stop() {
  running_ = false;
}

void standalone_leader_election_service::confirm_leadership(const std::string&,
                                                            const std::string&) {
}

bool standalone_leader_election_service::has_leadership(const std::string& session_id) {
  return running_ && session_id == session_id_;
}

void standalone_leader_retrieval_service::start(leader_retrieval_listener* listener) {
  listener->notify_leader_address(address_, "");
}

}  // namespace fjord

#include "stores/ha_services.hpp"

namespace fjord {

ha_services make_standalone_ha_services() {
  ha_services result;
  result.election = std::make_shared<standalone_leader_election_service>();
  result.job_graphs = std::make_shared<standalone_submitted_job_graph_store>();
  result.checkpoint_recovery = std::make_shared<standalone_checkpoint_recovery_factory>();
  result.job_results = std::make_shared<standalone_job_result_store>();
  return result;
}

}  // namespace fjord
