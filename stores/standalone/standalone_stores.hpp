// Standalone (embedded, non-HA) stores: everything in memory of the JobManager process.
// They survive task failures and job restarts, not a JobManager crash.
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "stores/checkpoint_id_counter.hpp"
#include "stores/checkpoint_recovery_factory.hpp"
#include "stores/completed_checkpoint_store.hpp"
#include "stores/leader_election.hpp"
#include "stores/submitted_job_graph_store.hpp"

namespace fjord {

/// Thread-safe (an atomic), though normally owned by one store worker.
class standalone_checkpoint_id_counter : public checkpoint_id_counter {
 public:
  void start() override {}
  void shutdown(job_state) override {}
  std::int64_t get_and_increment() override { return next_.fetch_add(1); }
  std::int64_t get() override { return next_.load(); }
  void set_count(std::int64_t next) override { next_.store(next); }

 private:
  std::atomic<std::int64_t> next_{1};
};

class standalone_completed_checkpoint_store : public completed_checkpoint_store {
 public:
  /// Throws store_error(invalid_argument) if max_retained < 1.
  explicit standalone_completed_checkpoint_store(int max_retained);

  void recover() override {}
  void add(const completed_checkpoint& checkpoint) override;
  std::optional<completed_checkpoint> latest() override;
  std::vector<completed_checkpoint> all() override;
  std::size_t size() override { return checkpoints_.size(); }
  std::size_t max_retained() const override { return max_retained_; }
  void shutdown(job_state final_state) override;

 private:
  std::size_t max_retained_;
  std::deque<completed_checkpoint> checkpoints_;
};

class standalone_checkpoint_recovery_factory : public checkpoint_recovery_factory {
 public:
  std::unique_ptr<completed_checkpoint_store>
  create_completed_checkpoint_store(const std::string& job_id, int max_retained) override;
  std::unique_ptr<checkpoint_id_counter>
  create_checkpoint_id_counter(const std::string& job_id) override;
};

/// Keeps graphs in memory so that status and recovery paths behave as in HA mode, within one
/// process. Every graph is owned by the single JobManager.
class standalone_submitted_job_graph_store : public submitted_job_graph_store {
 public:
  void start(job_graph_listener*) override {}
  void stop() override {}
  void put(const submitted_job_graph& graph) override;
  std::optional<submitted_job_graph> recover(const std::string& job_id) override;
  recovered_job_graphs recover_all() override;
  void remove(const std::string& job_id) override;
  std::vector<std::string> job_ids() override;

 private:
  std::map<std::string, submitted_job_graph> graphs_;
};

/// The single JobManager is leader from start() on, under a fresh session id.
class standalone_leader_election_service : public leader_election_service {
 public:
  void start(leader_contender* contender) override;
  void stop() override;
  void confirm_leadership(const std::string& session_id, const std::string& address) override;
  bool has_leadership(const std::string& session_id) override;

 private:
  std::string session_id_;
  bool running_ = false;
};

/// The leader is the fixed `jobmanager.address`, with no session id.
class standalone_leader_retrieval_service : public leader_retrieval_service {
 public:
  explicit standalone_leader_retrieval_service(std::string address)
    : address_(std::move(address)) {}
  void start(leader_retrieval_listener* listener) override;
  void stop() override {}

 private:
  std::string address_;
};

}  // namespace fjord
