// Job graphs of the tests, built from inline JSON through the real spec parser, and the check
// of their committed output.
#pragma once

#include <cstdint>
#include <string>

#include "examples/checkers/exactly_once_sum_check.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"

namespace fjord::testing {

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

}  // namespace fjord::testing
