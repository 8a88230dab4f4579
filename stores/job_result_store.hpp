// Results of jobs that reached a globally terminal state. A JobManager that recovers job graphs
// skips (and cleans up) any job with a result, so a FINISHED job is never run again after a
// failover, even if its graph could not be removed before the crash.
//
// Not thread-safe: owned by the job graph store worker.
#pragma once

#include <map>
#include <string>

#include "serialization/records.hpp"

namespace fjord {

class job_result_store {
 public:
  virtual ~job_result_store() = default;
  virtual void put(const job_result& result) = 0;
  virtual bool contains(const std::string& job_id) = 0;
};

class standalone_job_result_store : public job_result_store {
 public:
  void put(const job_result& result) override { results_[result.job_id] = result; }
  bool contains(const std::string& job_id) override { return results_.count(job_id) > 0; }

 private:
  std::map<std::string, job_result> results_;
};

}  // namespace fjord
