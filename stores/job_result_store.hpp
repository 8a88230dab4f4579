// Results of jobs that reached a globally terminal state. A JobManager that recovers job graphs
// skips (and cleans up) any job with a result, so a FINISHED job is never run again after a
// failover, even if its graph could not be removed before the crash. The results also answer
// status queries about jobs that ended under an earlier leader.
//
// Not thread-safe: owned by the job graph store worker.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "serialization/records.hpp"

namespace fjord {

class job_result_store {
 public:
  virtual ~job_result_store() = default;
  virtual void put(const job_result& result) = 0;
  virtual bool contains(const std::string& job_id) = 0;
  /// std::nullopt if the job has no result.
  virtual std::optional<job_result> get(const std::string& job_id) = 0;
  /// Every readable result, sorted by job id (an unreadable one is skipped with a log line).
  virtual std::vector<job_result> all() = 0;
};

class standalone_job_result_store : public job_result_store {
 public:
  void put(const job_result& result) override { results_[result.job_id] = result; }
  bool contains(const std::string& job_id) override { return results_.count(job_id) > 0; }
  std::optional<job_result> get(const std::string& job_id) override {
    auto i = results_.find(job_id);
    return i == results_.end() ? std::nullopt : std::optional<job_result>{i->second};
  }
  std::vector<job_result> all() override {
    std::vector<job_result> result;
    for (auto& [id, r] : results_)
      result.push_back(r);
    return result;
  }

 private:
  std::map<std::string, job_result> results_;
};

}  // namespace fjord
