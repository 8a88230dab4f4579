// The latch stores of the actor tests: a completed-checkpoint store (and its recovery factory)
// that journals what it was asked and can block add() on a latch, and a submitted-job-graph store
// whose put() blocks on a latch, so a test can hold a store call while leadership moves on.
// Called from a store worker's thread; the journal and latches are shared with the test thread.
#pragma once

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "stores/ha_services.hpp"
#include "stores/store_error.hpp"
#include "stores/standalone/standalone_stores.hpp"

namespace fjord::testing {

/// What the recording factory saw, shared with the test thread.
struct store_journal {
  std::mutex mtx;
  std::vector<std::int64_t> added;      ///< checkpoint ids in the order they were stored
  std::vector<job_state> shutdowns;     ///< states the stores were shut down with
  /// The clean-up steps of ended jobs in order: "result <state>", "checkpoints discarded",
  /// "graph removed" (journaling_services only).
  std::vector<std::string> cleanup;
  std::atomic<int> failing_result_puts{0};  ///< the next N result puts throw an I/O error
  std::atomic<bool> block_adds{false};  ///< add() waits for `release` while set
  std::atomic<int> blocked_adds{0};     ///< add() calls currently waiting
  std::promise<void> release_promise;
  std::shared_future<void> release = release_promise.get_future().share();

  std::vector<std::int64_t> added_ids() {
    std::lock_guard<std::mutex> guard{mtx};
    return added;
  }
};

/// A standalone completed-checkpoint store that journals adds and can block them on a latch.
class journaling_store : public completed_checkpoint_store {
 public:
  journaling_store(std::shared_ptr<store_journal> journal, int retained)
    : journal_(std::move(journal)), inner_(retained) {}
  void recover() override { inner_.recover(); }
  void add(const completed_checkpoint& c) override {
    if (journal_->block_adds) {
      ++journal_->blocked_adds;
      journal_->release.wait();
      --journal_->blocked_adds;
    }
    inner_.add(c);
    std::lock_guard<std::mutex> guard{journal_->mtx};
    journal_->added.push_back(c.checkpoint_id);
  }
  std::optional<completed_checkpoint> latest() override { return inner_.latest(); }
  std::vector<completed_checkpoint> all() override { return inner_.all(); }
  std::size_t size() override { return inner_.size(); }
  std::size_t max_retained() const override { return inner_.max_retained(); }
  void shutdown(job_state s) override {
    inner_.shutdown(s);
    std::lock_guard<std::mutex> guard{journal_->mtx};
    journal_->shutdowns.push_back(s);
    if (is_globally_terminal(s))
      journal_->cleanup.push_back("checkpoints discarded");
  }

 private:
  std::shared_ptr<store_journal> journal_;
  standalone_completed_checkpoint_store inner_;
};

class journaling_factory : public checkpoint_recovery_factory {
 public:
  explicit journaling_factory(std::shared_ptr<store_journal> journal)
    : journal_(std::move(journal)) {}
  std::unique_ptr<completed_checkpoint_store>
  create_completed_checkpoint_store(const std::string&, int retained) override {
    return std::make_unique<journaling_store>(journal_, retained);
  }
  std::unique_ptr<checkpoint_id_counter> create_checkpoint_id_counter(const std::string&) override {
    return std::make_unique<standalone_checkpoint_id_counter>();
  }

 private:
  std::shared_ptr<store_journal> journal_;
};

/// A job result store that journals puts and can fail the next few.
class journaling_result_store : public standalone_job_result_store {
 public:
  explicit journaling_result_store(std::shared_ptr<store_journal> journal)
    : journal_(std::move(journal)) {}
  void put(const job_result& result) override {
    if (journal_->failing_result_puts > 0) {
      --journal_->failing_result_puts;
      throw store_error(store_error::kind::io, "job result store: disk full (test)");
    }
    standalone_job_result_store::put(result);
    std::lock_guard<std::mutex> guard{journal_->mtx};
    journal_->cleanup.push_back(std::string{"result "} + to_string(result.state));
  }

 private:
  std::shared_ptr<store_journal> journal_;
};

/// A job graph store that journals removals.
class journaling_graph_store : public standalone_submitted_job_graph_store {
 public:
  explicit journaling_graph_store(std::shared_ptr<store_journal> journal)
    : journal_(std::move(journal)) {}
  void remove(const std::string& job_id) override {
    standalone_submitted_job_graph_store::remove(job_id);
    std::lock_guard<std::mutex> guard{journal_->mtx};
    journal_->cleanup.push_back("graph removed");
  }

 private:
  std::shared_ptr<store_journal> journal_;
};

inline ha_services journaling_services(std::shared_ptr<store_journal> journal) {
  auto services = make_standalone_ha_services();
  services.checkpoint_recovery = std::make_shared<journaling_factory>(journal);
  services.job_results = std::make_shared<journaling_result_store>(journal);
  services.job_graphs = std::make_shared<journaling_graph_store>(std::move(journal));
  return services;
}

/// A submitted-job-graph store whose put() waits on a latch while `block` is set.
class latched_graph_store : public standalone_submitted_job_graph_store {
 public:
  std::atomic<bool> block{false};
  std::atomic<int> waiting{0};
  std::promise<void> release_promise;

  void put(const submitted_job_graph& graph) override {
    if (block) {
      ++waiting;
      release.wait();
    }
    standalone_submitted_job_graph_store::put(graph);
  }

 private:
  std::shared_future<void> release = release_promise.get_future().share();
};

}  // namespace fjord::testing
