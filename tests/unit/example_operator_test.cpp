// The example user-defined operator (examples/operators/running_max.hpp): registered in a
// registry, named in a job spec, created through the registry and run with snapshot/restore.
#include <doctest/doctest.h>

#include "examples/operators/running_max.hpp"
#include "operators/builtin_operators.hpp"
#include "operators/job_spec.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using nlohmann::json;

TEST_CASE("example operator: running_max is registered, usable in a spec and restorable") {
  operator_registry registry;
  register_builtin_operators(registry);
  register_running_max(registry);
  REQUIRE(registry.find("running_max") != nullptr);
  CHECK(registry.find("running_max")->role == operator_role::transform);

  auto spec = R"({"vertices": [
      {"id": "n", "operator": "sequence", "params": {"from": 1, "to": 10}},
      {"id": "max", "operator": "running_max", "parallelism": 2},
      {"id": "p", "operator": "stdout"}],
    "edges": [{"from": "n", "to": "max", "partitioning": "rebalance"},
              {"from": "max", "to": "p", "partitioning": "rebalance"}]})";
  auto graph = parse_job_spec(spec, registry);
  CHECK(graph.vertices[1].op == "running_max");
  // Without registering it, the same spec names the unknown operator.
  CHECK_THROWS_WITH_AS(parse_job_spec(spec, operator_registry::global()),
                       doctest::Contains("vertices[1].operator: unknown operator 'running_max'"),
                       spec_error);

  auto op = open_operator<stream_operator>("running_max", make_context(json::object()), registry);
  vector_collector out;
  for (std::int64_t v : {3, 1, 4, 1, 5})
    op->process(record::of(v), out);
  CHECK(out.lines() == std::vector<std::string>{"3", "3", "4", "4", "5"});
  auto state = op->snapshot(1);

  auto restored =
    open_operator<stream_operator>("running_max", make_context(json::object()), registry);
  restored->restore(state, 1);
  vector_collector after;
  restored->process(record::of(2), after);
  restored->process(record::of(9), after);
  CHECK(after.lines() == std::vector<std::string>{"5", "9"});
}
