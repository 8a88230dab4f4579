// Shared helpers of the actor-level tests: temporary directories, job graphs from inline JSON,
// and checkpoint-store factories that record what they were asked or block on a latch.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "examples/checkers/exactly_once_sum_check.hpp"
#include "operators/operator_registry.hpp"
#include "operators/job_spec.hpp"
#include "stores/ha_services.hpp"
#include "stores/standalone/standalone_stores.hpp"

namespace fjord::testing {

/// A fresh directory, removed with everything in it when the object goes away.
class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path()
            / ("fjord-actor-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// The exactly-once sum pipeline: sequence -> hash -> keyed_sum -> rebalance ->
/// transactional_file.
inline job_graph sum_job(const std::string& output_dir, std::int64_t to, std::int64_t rate,
                         std::int64_t interval_ms, const std::string& restart = "fixed-delay") {
  auto spec = R"({
    "name": "sum test",
    "vertices": [
      {"id": "numbers", "operator": "sequence", "parallelism": 3,
       "params": {"from": 1, "to": )" + std::to_string(to) + R"(, "rate_per_subtask": )"
              + std::to_string(rate) + R"(}},
      {"id": "sums", "operator": "keyed_sum", "parallelism": 2, "params": {"keys": 8}},
      {"id": "out", "operator": "transactional_file", "parallelism": 2,
       "params": {"output_dir": ")" + output_dir + R"("}}
    ],
    "edges": [
      {"from": "numbers", "to": "sums", "partitioning": "hash"},
      {"from": "sums", "to": "out", "partitioning": "rebalance"}
    ],
    "checkpointing": {"interval_ms": )" + std::to_string(interval_ms) + R"(},
    "restart_strategy": {"type": ")" + restart + R"(", "attempts": 5, "delay_ms": 50}
  })";
  return parse_job_spec(spec, operator_registry::global());
}

/// Checks the committed output of sum_job(output_dir, to, ...) with the example's checker.
inline checkers::check_result verify_sum(const std::string& output_dir, std::int64_t to) {
  checkers::exactly_once_sum_params p;
  p.output_dir = output_dir;
  p.from = 1;
  p.to = to;
  p.keys = 8;  // as in sum_job
  return checkers::check_exactly_once_sum(p);
}

/// What the recording factory saw, shared with the test thread.
struct store_journal {
  std::mutex mtx;
  std::vector<std::int64_t> added;      ///< checkpoint ids in the order they were stored
  std::vector<job_state> shutdowns;     ///< states the stores were shut down with
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

inline ha_services journaling_services(std::shared_ptr<store_journal> journal) {
  auto services = make_standalone_ha_services();
  services.checkpoint_recovery = std::make_shared<journaling_factory>(std::move(journal));
  return services;
}

/// Polls `condition` every 5 ms until it holds or `timeout` passed.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace fjord::testing
