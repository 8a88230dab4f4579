// What the JobManager checks on every graph it is sent or recovers, on job_graph values that
// the spec parser would never produce: the graph rules (shared with the parser), the size
// limits, and an operator that only the graph's plugins define.
#include <doctest/doctest.h>

#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "actors/detail/job_admission.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_graph_validation.hpp"
#include "operators/job_spec.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using fjord::testing::temp_dir;

namespace {

/// numbers (sequence, 3) -hash-> sums (keyed_sum, 2) -rebalance-> out (stdout, 2)
job_graph pipeline() {
  return parse_job_spec(R"({"vertices": [
      {"id": "numbers", "operator": "sequence", "parallelism": 3, "params": {"from": 1, "to": 9}},
      {"id": "sums", "operator": "keyed_sum", "parallelism": 2, "params": {"keys": 4}},
      {"id": "out", "operator": "stdout", "parallelism": 2}],
    "edges": [{"from": "numbers", "to": "sums", "partitioning": "hash"},
              {"from": "sums", "to": "out", "partitioning": "rebalance"}]})",
                        operator_registry::global());
}

job_limits limits_of(std::int32_t max_parallelism, std::int64_t max_tasks_per_job) {
  job_limits limits;
  limits.max_parallelism = max_parallelism;
  limits.max_tasks_per_job = max_tasks_per_job;
  return limits;
}

std::string problem_of(const job_graph& graph, job_limits limits = {}) {
  auto problem = admission_problem(graph, limits, operator_registry::global());
  return problem ? *problem : "none";
}

}  // namespace

TEST_CASE("job admission: a valid graph is admitted") {
  CHECK(problem_of(pipeline()) == "none");
}

TEST_CASE("job admission: the graph rules of the spec parser apply to a received graph") {
  auto g = pipeline();
  g.edges.push_back({"sums", "nowhere", partitioning::rebalance});
  CHECK(problem_of(g) == "edges[2].to: unknown vertex 'nowhere' (vertices: numbers, sums, out)");

  g = pipeline();
  g.vertices.clear();
  CHECK(problem_of(g) == "vertices: must not be empty: a job needs at least one vertex");

  g = pipeline();
  g.vertices[1].id = "numbers";
  CHECK(problem_of(g) == "vertices[1].id: duplicate vertex id 'numbers' (also vertices[0])");

  g = pipeline();
  g.vertices[2].op = "sequense";
  CHECK(problem_of(g).rfind("vertices[2].operator: unknown operator 'sequense'", 0) == 0);

  g = pipeline();
  g.vertices[1].params_json = "[4]";
  CHECK(problem_of(g) == "vertices[1].params: must be an object, got [4]");

  g = pipeline();
  g.vertices[1].params_json = "{not json";
  CHECK(problem_of(g).rfind("vertices[1].params: not valid JSON", 0) == 0);

  g = pipeline();
  g.vertices[0].params_json = R"({"from": 9, "to": 1})";
  CHECK(problem_of(g) == "vertices[0].params.to: must be >= from (9), got 1");

  g = pipeline();
  g.edges[1].part = partitioning::forward;
  CHECK(problem_of(g).rfind("edges[1].partitioning: forward needs equal parallelism", 0) != 0);
  g.vertices[2].parallelism = 3;
  CHECK(problem_of(g).rfind("edges[1].partitioning: forward needs equal parallelism", 0) == 0);

  g = pipeline();
  g.edges.push_back({"out", "sums", partitioning::rebalance});
  CHECK(problem_of(g) == "edges[2].from: 'out' is a sink (operator 'stdout') and cannot have "
                         "outputs");

  g = pipeline();
  g.restart.multiplier = std::nan("");
  CHECK(problem_of(g).rfind("restart_strategy.multiplier: must be a number >= 1", 0) == 0);

  g = pipeline();
  g.checkpoints.timeout_ms = 0;
  CHECK(problem_of(g) == "checkpointing.timeout_ms: must be >= 1, got 0");
}

TEST_CASE("job admission: parallelism and subtasks beyond the JobManager's limits are refused, "
          "without overflowing the count") {
  auto g = pipeline();
  g.vertices[0].parallelism = INT32_MAX;
  CHECK(problem_of(g) == "vertices[0].parallelism: 2147483647 is more than "
                         "jobmanager.max-parallelism (1024)");
  g = pipeline();
  g.vertices[0].parallelism = 0;
  CHECK(problem_of(g) == "vertices[0].parallelism: must be >= 1, got 0");

  // Three vertices of INT32_MAX sum past INT32_MAX: counted in 64 bits.
  g = pipeline();
  for (auto& v : g.vertices)
    v.parallelism = INT32_MAX;
  auto unlimited_parallelism = limits_of(INT32_MAX, 10000);
  CHECK(problem_of(g, unlimited_parallelism) == "the job has 6442450941 subtasks, more than "
                                                "jobmanager.max-tasks-per-job (10000)");
  CHECK(problem_of(pipeline(), limits_of(1024, 7)) == "none");
  CHECK(problem_of(pipeline(), limits_of(2, 100)) == "vertices[0].parallelism: 3 is more than "
                                                      "jobmanager.max-parallelism (2)");
}

TEST_CASE("job admission: an operator the registry lacks passes only when the graph ships "
          "plugins, which the TaskManager checks") {
  auto g = pipeline();
  g.vertices[1].op = "square";  // from a plugin: role and parameters unknown here
  CHECK(problem_of(g).rfind("vertices[1].operator: unknown operator 'square'", 0) == 0);
  g.plugins.push_back({"libsquare.so", "00", "bytes"});
  CHECK(problem_of(g) == "none");
  // The rules that need no role still hold.
  g.edges.push_back({"square", "out", partitioning::rebalance});
  CHECK(problem_of(g).rfind("edges[2].from: unknown vertex 'square'", 0) == 0);
}

TEST_CASE("job admission: topological_order puts sources first and names a cycle") {
  auto g = pipeline();
  std::swap(g.vertices[0], g.vertices[2]);
  auto order = topological_order(g);
  REQUIRE(order.size() == 3);
  CHECK(order[0].id == "numbers");
  CHECK(order[2].id == "out");
  g = pipeline();
  g.edges.push_back({"sums", "numbers", partitioning::rebalance});
  CHECK_THROWS_AS(topological_order(g), spec_error);
}

TEST_CASE("job admission: a submitted graph's size counts its plugins and is bounded by "
          "jobmanager.max-graph-bytes") {
  auto g = pipeline();
  auto small = graph_bytes(g);
  CHECK(small > 0);
  CHECK(small < 2000);
  g.plugins.push_back({"libbig.so", std::string(64, 'a'), std::string(1 << 20, 'x')});
  CHECK(graph_bytes(g) >= small + (1 << 20));
  job_limits limits;
  CHECK_FALSE(size_problem(g, limits));  // 16 MiB by default
  limits.max_graph_bytes = 1 << 20;
  auto problem = size_problem(g, limits);
  REQUIRE(problem);
  CHECK(*problem == "the job graph has " + std::to_string(graph_bytes(g))
                      + " bytes, more than jobmanager.max-graph-bytes (1048576)");
}

TEST_CASE("job admission: a file_lines path or transactional_file output_dir outside "
          "taskmanager.file-roots is refused, naming the parameter and the path") {
  temp_dir dir;
  auto root = dir.path() / "data";
  std::filesystem::create_directories(root);
  std::ofstream{root / "in.txt"} << "a line\n";
  auto spec = [&](const std::string& in, const std::string& out) {
    return parse_job_spec(R"({"vertices": [
        {"id": "lines", "operator": "file_lines", "parallelism": 1, "params": {"path": ")" + in
                            + R"("}},
        {"id": "out", "operator": "transactional_file", "parallelism": 1,
         "params": {"output_dir": ")" + out + R"("}}],
      "edges": [{"from": "lines", "to": "out", "partitioning": "rebalance"}]})",
                          operator_registry::global());
  };
  auto inside = spec((root / "in.txt").string(), (root / "out/new").string());
  job_limits limits;
  CHECK(problem_of(inside, limits) == "none");  // no roots: anywhere
  limits.roots = file_roots{{root.string()}};
  CHECK(problem_of(inside, limits) == "none");

  auto outside_input = inside;
  outside_input.vertices[0].params_json = R"({"path": "/etc/passwd"})";
  CHECK(problem_of(outside_input, limits)
        == "vertices[0].params.path: '/etc/passwd' is outside taskmanager.file-roots ("
             + std::filesystem::canonical(root).string() + ")");

  auto outside_output = inside;
  outside_output.vertices[1].params_json =
    R"({"output_dir": ")" + (root / "../elsewhere").string() + R"("})";
  CHECK(problem_of(outside_output, limits).rfind("vertices[1].params.output_dir: '", 0) == 0);
  CHECK(problem_of(outside_output, limits).find("is outside taskmanager.file-roots")
        != std::string::npos);
}
