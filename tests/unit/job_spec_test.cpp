// Job spec validation: a good spec becomes a sorted job_graph; every kind of bad input gives one
// error line that names the field; --set overrides are applied before validation.
#include <doctest/doctest.h>

#include "operators/job_spec.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using namespace fjord::testing;
using nlohmann::json;

namespace {

// Deliberately not in topological order, to check the sorting.
json good_spec() {
  return json::parse(R"({
    "name": "exactly-once sum",
    "vertices": [
      {"id": "out", "operator": "transactional_file", "parallelism": 2,
       "params": {"output_dir": "out/sum"}},
      {"id": "sums", "operator": "keyed_sum", "parallelism": 4, "params": {"keys": 16}},
      {"id": "numbers", "operator": "sequence", "parallelism": 4,
       "params": {"from": 1, "to": 1000000}}
    ],
    "edges": [
      {"from": "numbers", "to": "sums", "partitioning": "hash"},
      {"from": "sums", "to": "out", "partitioning": "rebalance"}
    ],
    "checkpointing": {"interval_ms": 100, "timeout_ms": 5000, "max_concurrent": 2,
                      "min_pause_ms": 10, "num_retained": 3},
    "restart_strategy": {"type": "exponential-delay", "attempts": 5, "delay_ms": 50,
                         "max_delay_ms": 1000, "multiplier": 1.5}
  })");
}

job_graph parse(const json& spec, const std::vector<std::string>& sets = {}) {
  return parse_job_spec(spec.dump(), operator_registry::global(), sets);
}

/// The spec_error message for `spec` (as text), or "no error".
std::string error_of_text(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    parse_job_spec(text, operator_registry::global(), sets);
  } catch (const spec_error& e) {
    return e.what();
  }
  return "no error";
}

std::string error_of(const json& spec, const std::vector<std::string>& sets = {}) {
  return error_of_text(spec.dump(), sets);
}

std::string field_of(const json& spec, const std::vector<std::string>& sets = {}) {
  try {
    parse_job_spec(spec.dump(), operator_registry::global(), sets);
  } catch (const spec_error& e) {
    return e.field();
  }
  return "no error";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("job spec: a good spec becomes a job graph with vertices in topological order") {
  auto graph = parse(good_spec());
  CHECK(graph.name == "exactly-once sum");
  CHECK(graph.job_id.empty());
  REQUIRE(graph.vertices.size() == 3);
  CHECK(graph.vertices[0].id == "numbers");
  CHECK(graph.vertices[1].id == "sums");
  CHECK(graph.vertices[2].id == "out");
  CHECK(graph.vertices[0].op == "sequence");
  CHECK(graph.vertices[0].parallelism == 4);
  CHECK(graph.vertices[2].parallelism == 2);
  CHECK(graph.vertices[0].params_json == R"({"from":1,"to":1000000})");
  REQUIRE(graph.edges.size() == 2);
  CHECK(graph.edges[0].from == "numbers");
  CHECK(graph.edges[0].to == "sums");
  CHECK(graph.edges[0].part == partitioning::hash);
  CHECK(graph.edges[1].part == partitioning::rebalance);
  CHECK(graph.checkpoints.interval_ms == 100);
  CHECK(graph.checkpoints.timeout_ms == 5000);
  CHECK(graph.checkpoints.max_concurrent == 2);
  CHECK(graph.checkpoints.min_pause_ms == 10);
  CHECK(graph.checkpoints.num_retained == 3);
  CHECK(graph.restart.kind == restart_strategy_kind::exponential_delay);
  CHECK(graph.restart.max_attempts == 5);
  CHECK(graph.restart.delay_ms == 50);
  CHECK(graph.restart.max_delay_ms == 1000);
  CHECK(graph.restart.multiplier == 1.5);
}

TEST_CASE("job spec: optional parts take the documented defaults") {
  auto graph = parse(json::parse(R"({"vertices": [
      {"id": "n", "operator": "sequence", "params": {"from": 1, "to": 3}},
      {"id": "p", "operator": "stdout"}],
    "edges": [{"from": "n", "to": "p"}]})"));
  CHECK(graph.name == "job");
  CHECK(graph.vertices[0].parallelism == 1);
  CHECK(graph.vertices[1].params_json == "{}");
  CHECK(graph.edges[0].part == partitioning::forward);
  checkpoint_settings c;
  CHECK(graph.checkpoints.interval_ms == c.interval_ms);
  CHECK(graph.checkpoints.timeout_ms == c.timeout_ms);
  CHECK(graph.checkpoints.max_concurrent == c.max_concurrent);
  CHECK(graph.checkpoints.num_retained == c.num_retained);
  restart_settings r;
  CHECK(graph.restart.kind == r.kind);
  CHECK(graph.restart.max_attempts == r.max_attempts);
  CHECK(graph.restart.delay_ms == r.delay_ms);
  CHECK(graph.restart.multiplier == r.multiplier);
}

TEST_CASE("job spec: comments are allowed in the JSON") {
  auto text = R"({ // a comment
    "vertices": [{"id": "n", "operator": "sequence", "params": {"from": 1, "to": 3}}] /* x */ })";
  CHECK(error_of_text(text) == "no error");
}

TEST_CASE("job spec: text that is not JSON names the line and column") {
  auto message = error_of_text("{\n  \"name\": \"x\",\n  \"vertices\": [,]\n}");
  CHECK(starts_with(message, "job spec: not valid JSON: parse error at line 3, column"));
  CHECK(message.find("[json.exception") == std::string::npos);
}

TEST_CASE("job spec: a document that is not an object is rejected") {
  CHECK(error_of_text("[1, 2]") == "job spec: must be a JSON object, got array");
}

TEST_CASE("job spec: name must be a non-empty string") {
  auto spec = good_spec();
  spec["name"] = "";
  CHECK(error_of(spec) == "name: must be a non-empty string, got \"\"");
  spec["name"] = 3;
  CHECK(field_of(spec) == "name");
}

TEST_CASE("job spec: vertices missing, not an array, or empty") {
  auto spec = good_spec();
  spec.erase("vertices");
  spec.erase("edges");
  CHECK(error_of(spec) == "vertices: missing: a job needs at least one vertex");
  spec["vertices"] = json::object();
  CHECK(error_of(spec) == "vertices: must be an array, got object");
  spec["vertices"] = json::array();
  CHECK(error_of(spec) == "vertices: must not be empty: a job needs at least one vertex");
}

TEST_CASE("job spec: a vertex without an id, or with a bad one") {
  auto spec = good_spec();
  spec["vertices"][1].erase("id");
  CHECK(error_of(spec) == "vertices[1].id: missing");
  spec["vertices"][1]["id"] = 7;
  CHECK(error_of(spec) == "vertices[1].id: must be a non-empty string, got 7");
  spec["vertices"][1]["id"] = "a.b";
  CHECK(field_of(spec) == "vertices[1].id");
  spec["vertices"][1] = "sums";
  CHECK(error_of(spec) == "vertices[1]: must be an object, got \"sums\"");
}

TEST_CASE("job spec: duplicate vertex ids") {
  auto spec = good_spec();
  spec["vertices"][2]["id"] = "out";
  CHECK(error_of(spec) == "vertices[2].id: duplicate vertex id 'out' (also vertices[0])");
}

TEST_CASE("job spec: an unknown operator lists the known ones") {
  auto spec = good_spec();
  spec["vertices"][1]["operator"] = "keyed_summ";
  CHECK(error_of(spec) ==
        "vertices[1].operator: unknown operator 'keyed_summ' (known: file_lines, keyed_sum, "
        "sequence, stdout, tokenize, transactional_file, word_count)");
  spec["vertices"][1].erase("operator");
  CHECK(error_of(spec) == "vertices[1].operator: missing");
}

TEST_CASE("job spec: parallelism must be an integer >= 1") {
  auto spec = good_spec();
  spec["vertices"][1]["parallelism"] = 0;
  CHECK(error_of(spec) == "vertices[1].parallelism: must be an integer >= 1, got 0");
  spec["vertices"][1]["parallelism"] = "4";
  CHECK(error_of(spec) == "vertices[1].parallelism: must be an integer >= 1, got \"4\"");
  spec["vertices"][1]["parallelism"] = 2.0;
  CHECK(field_of(spec) == "vertices[1].parallelism");
  spec["vertices"][1]["parallelism"] = 3000000000LL;
  CHECK(error_of(spec) == "vertices[1].parallelism: must be at most 2147483647, got 3000000000");
}

TEST_CASE("job spec: params must be an object") {
  auto spec = good_spec();
  spec["vertices"][1]["params"] = json::array({16});
  CHECK(error_of(spec) == "vertices[1].params: must be an object, got [16]");
}

TEST_CASE("job spec: the operator's own parameter validation names the field") {
  auto spec = good_spec();
  spec["vertices"][1]["params"]["keys"] = "x";
  CHECK(error_of(spec) == "vertices[1].params.keys: must be an integer >= 1, got \"x\"");
  spec["vertices"][1]["params"].erase("keys");
  CHECK(error_of(spec) == "vertices[1].params.keys: missing parameter");
  spec = good_spec();
  spec["vertices"][2]["params"]["form"] = 1;
  CHECK(field_of(spec) == "vertices[2].params.form");
}

TEST_CASE("job spec: unknown fields anywhere are typos, not silently ignored") {
  auto spec = good_spec();
  spec["vertices"][0]["paralelism"] = 2;
  CHECK(error_of(spec) == "vertices[0].paralelism: unknown field (expected one of: id, "
                          "operator, parallelism, params)");
  spec = good_spec();
  spec["edge"] = json::array();
  CHECK(error_of(spec) == "edge: unknown field (expected one of: name, vertices, edges, "
                          "checkpointing, restart_strategy)");
  spec = good_spec();
  spec["edges"][1]["partition"] = "hash";
  CHECK(field_of(spec) == "edges[1].partition");
  spec = good_spec();
  spec["checkpointing"]["interval"] = 100;
  CHECK(field_of(spec) == "checkpointing.interval");
  spec = good_spec();
  spec["restart_strategy"]["max_attempts"] = 3;
  CHECK(field_of(spec) == "restart_strategy.max_attempts");
}

TEST_CASE("job spec: an edge to or from a missing vertex") {
  auto spec = good_spec();
  spec["edges"][1]["to"] = "output";
  CHECK(error_of(spec) == "edges[1].to: unknown vertex 'output' (vertices: out, sums, numbers)");
  spec = good_spec();
  spec["edges"][0]["from"] = "nums";
  CHECK(field_of(spec) == "edges[0].from");
  spec = good_spec();
  spec["edges"][0].erase("from");
  CHECK(error_of(spec) == "edges[0].from: missing");
  spec = good_spec();
  spec["edges"] = json::object();
  CHECK(error_of(spec) == "edges: must be an array, got object");
}

TEST_CASE("job spec: a self-loop") {
  auto spec = good_spec();
  spec["edges"].push_back({{"from", "sums"}, {"to", "sums"}, {"partitioning", "hash"}});
  CHECK(error_of(spec) == "edges[2]: self-loop 'sums' -> 'sums': an edge must join two "
                          "different vertices");
}

TEST_CASE("job spec: a cycle names a vertex on it") {
  auto spec = json::parse(R"({"vertices": [
      {"id": "src", "operator": "sequence", "params": {"from": 1, "to": 3}},
      {"id": "a", "operator": "keyed_sum", "params": {"keys": 2}},
      {"id": "b", "operator": "tokenize"},
      {"id": "c", "operator": "word_count"},
      {"id": "out", "operator": "stdout"}],
    "edges": [{"from": "src", "to": "a"}, {"from": "a", "to": "b"}, {"from": "b", "to": "c"},
              {"from": "c", "to": "b"}, {"from": "c", "to": "out"}]})");
  auto message = error_of(spec);
  CHECK(field_of(spec) == "edges");
  bool names_cycle_vertex = message == "edges: cycle through vertex 'b' (a job graph must be "
                                       "acyclic)" ||
                            message == "edges: cycle through vertex 'c' (a job graph must be "
                                       "acyclic)";
  CHECK_MESSAGE(names_cycle_vertex, message);
}

TEST_CASE("job spec: an unknown partitioning lists the valid ones") {
  auto spec = good_spec();
  spec["edges"][0]["partitioning"] = "shuffle";
  CHECK(error_of(spec) == "edges[0].partitioning: unknown partitioning 'shuffle' (expected "
                          "forward, hash, rebalance or broadcast)");
  spec["edges"][0]["partitioning"] = 1;
  CHECK(field_of(spec) == "edges[0].partitioning");
}

TEST_CASE("job spec: a forward edge between different parallelisms") {
  auto spec = good_spec();
  spec["edges"][1]["partitioning"] = "forward";
  CHECK(error_of(spec) == "edges[1].partitioning: forward needs equal parallelism, but 'sums' "
                          "has 4 and 'out' has 2 (use rebalance or hash)");
  spec["vertices"][0]["parallelism"] = 4;
  CHECK(error_of(spec) == "no error");
}

TEST_CASE("job spec: a source with inputs") {
  auto spec = good_spec();
  spec["edges"].push_back({{"from", "sums"}, {"to", "numbers"}, {"partitioning", "hash"}});
  CHECK(error_of(spec) ==
        "edges[2].to: 'numbers' is a source (operator 'sequence') and cannot have inputs");
}

TEST_CASE("job spec: a non-source without inputs") {
  auto spec = good_spec();
  spec["edges"].erase(0);
  CHECK(error_of(spec) == "vertices[1]: 'sums' (operator 'keyed_sum') has no input edge; only "
                          "sources may have none");
}

TEST_CASE("job spec: a sink with outputs") {
  auto spec = good_spec();
  spec["vertices"].push_back({{"id", "more"}, {"operator", "tokenize"}});
  spec["edges"].push_back({{"from", "out"}, {"to", "more"}, {"partitioning", "rebalance"}});
  CHECK(error_of(spec) ==
        "edges[2].from: 'out' is a sink (operator 'transactional_file') and cannot have outputs");
}

TEST_CASE("job spec: a duplicate edge") {
  auto spec = good_spec();
  spec["edges"].push_back({{"from", "numbers"}, {"to", "sums"}, {"partitioning", "rebalance"}});
  CHECK(error_of(spec) == "edges[2]: duplicate edge 'numbers' -> 'sums' (also edges[0])");
}

TEST_CASE("job spec: a job without a source") {
  auto spec = json::parse(R"({"vertices": [{"id": "t", "operator": "tokenize"},
                                            {"id": "w", "operator": "word_count"}],
                              "edges": [{"from": "t", "to": "w"}]})");
  CHECK(error_of(spec) == "vertices: the job has no source (source operators: file_lines, "
                          "sequence)");
}

TEST_CASE("job spec: checkpointing values out of range") {
  struct bad {
    const char* key;
    json value;
    const char* message;
  };
  for (auto& b : {bad{"interval_ms", -1, "checkpointing.interval_ms: must be an integer >= 0, "
                                         "got -1"},
                  bad{"timeout_ms", 0, "checkpointing.timeout_ms: must be an integer > 0, got 0"},
                  bad{"max_concurrent", 0, "checkpointing.max_concurrent: must be an integer "
                                           ">= 1, got 0"},
                  bad{"min_pause_ms", -5, "checkpointing.min_pause_ms: must be an integer >= 0, "
                                          "got -5"},
                  bad{"num_retained", 0, "checkpointing.num_retained: must be an integer >= 1, "
                                         "got 0"},
                  bad{"interval_ms", "100", "checkpointing.interval_ms: must be an integer "
                                            ">= 0, got \"100\""}}) {
    auto spec = good_spec();
    spec["checkpointing"][b.key] = b.value;
    CHECK(error_of(spec) == b.message);
  }
  auto spec = good_spec();
  spec["checkpointing"] = 100;
  CHECK(error_of(spec) == "checkpointing: must be an object, got 100");
}

TEST_CASE("job spec: restart strategy values out of range") {
  struct bad {
    const char* key;
    json value;
    const char* message;
  };
  for (auto& b :
       {bad{"attempts", -1, "restart_strategy.attempts: must be an integer >= 0, got -1"},
        bad{"delay_ms", -1, "restart_strategy.delay_ms: must be an integer >= 0, got -1"},
        bad{"max_delay_ms", -2, "restart_strategy.max_delay_ms: must be an integer >= 0, got -2"},
        bad{"multiplier", 0.5, "restart_strategy.multiplier: must be a number >= 1, got 0.5"},
        bad{"multiplier", "2", "restart_strategy.multiplier: must be a number >= 1, got \"2\""}}) {
    auto spec = good_spec();
    spec["restart_strategy"][b.key] = b.value;
    CHECK(error_of(spec) == b.message);
  }
}

TEST_CASE("job spec: an unknown restart type lists the valid ones") {
  auto spec = good_spec();
  spec["restart_strategy"]["type"] = "fixed";
  CHECK(error_of(spec) == "restart_strategy.type: unknown restart strategy 'fixed' (expected "
                          "fixed-delay, exponential-delay or none)");
  spec["restart_strategy"]["type"] = "none";
  CHECK(parse(spec).restart.kind == restart_strategy_kind::none);
  spec["restart_strategy"]["type"] = "fixed-delay";
  CHECK(parse(spec).restart.kind == restart_strategy_kind::fixed_delay);
}

TEST_CASE("job spec: --set overrides parallelism, params, settings and name") {
  auto graph = parse(good_spec(), {"numbers.parallelism=2", "numbers.to=5000", "sums.keys=8",
                                   "out.output_dir=/tmp/x y", "checkpointing.interval_ms=50",
                                   "restart_strategy.type=none", "name=\"renamed\"",
                                   "numbers.rate_per_subtask=1.5"});
  CHECK(graph.name == "renamed");
  CHECK(graph.vertices[0].parallelism == 2);
  CHECK(json::parse(graph.vertices[0].params_json) ==
        json{{"from", 1}, {"to", 5000}, {"rate_per_subtask", 1.5}});
  CHECK(json::parse(graph.vertices[1].params_json) == json{{"keys", 8}});
  CHECK(json::parse(graph.vertices[2].params_json) == json{{"output_dir", "/tmp/x y"}});
  CHECK(graph.checkpoints.interval_ms == 50);
  CHECK(graph.restart.kind == restart_strategy_kind::none);
  // A value that is not JSON is a string; a JSON string keeps its quotes stripped.
  CHECK(parse(good_spec(), {"name=plain words"}).name == "plain words");
  // Sections and params that were absent are created.
  auto bare = good_spec();
  bare.erase("checkpointing");
  bare["vertices"][0].erase("params");
  CHECK(parse(bare, {"checkpointing.num_retained=5", "out.output_dir=o"}).checkpoints
          .num_retained == 5);
}

TEST_CASE("job spec: overrides are validated like the spec itself") {
  CHECK(error_of(good_spec(), {"sums.keys=x"}) ==
        "vertices[1].params.keys: must be an integer >= 1, got \"x\"");
  CHECK(error_of(good_spec(), {"sums.parallelism=0"}) ==
        "vertices[1].parallelism: must be an integer >= 1, got 0");
  CHECK(error_of(good_spec(), {"checkpointing.intervall=5"}) ==
        "checkpointing.intervall: unknown field (expected one of: interval_ms, timeout_ms, "
        "max_concurrent, min_pause_ms, num_retained)");
}

TEST_CASE("job spec: an override naming an unknown vertex or without '=' is an error") {
  CHECK(error_of(good_spec(), {"summs.keys=3"}) ==
        "--set summs.keys: unknown vertex 'summs' (vertices: out, sums, numbers)");
  CHECK(error_of(good_spec(), {"sums.keys"}) ==
        "--set sums.keys: expected PATH=VALUE, e.g. numbers.parallelism=2");
  CHECK(field_of(good_spec(), {"parallelism=3"}) == "--set parallelism");
}

TEST_CASE("job spec: load_job_spec reads a file, and names the path when it cannot") {
  temp_dir dir;
  auto path = dir.file("job.json");
  write_file(path, good_spec().dump(2));
  CHECK(load_job_spec(path, operator_registry::global()).vertices.size() == 3);
  CHECK(load_job_spec(path, operator_registry::global(), {"sums.parallelism=3"})
          .vertices[1]
          .parallelism == 3);
  auto missing = dir.file("missing.json");
  CHECK_THROWS_WITH_AS(load_job_spec(missing, operator_registry::global()),
                       (missing + ": cannot read the job spec: No such file or directory").c_str(),
                       spec_error);
  CHECK_THROWS_WITH_AS(load_job_spec(dir.path().string(), operator_registry::global()),
                       (dir.path().string() + ": is a directory, expected a JSON job spec file")
                         .c_str(),
                       spec_error);
  write_file(path, "{");
  try {
    load_job_spec(path, operator_registry::global());
    FAIL("a truncated spec was accepted");
  } catch (const spec_error& e) {
    CHECK(e.field() == path);
    CHECK(starts_with(e.what(), path + ": not valid JSON: parse error at line 1"));
  }
}

TEST_CASE("job spec: the example jobs are valid and have the documented shape") {
  auto jobs = std::filesystem::path{__FILE__}.parent_path().parent_path().parent_path() /
              "examples";
  auto sum = load_job_spec((jobs / "jobs/exactly_once_sum.json").string(),
                           operator_registry::global());
  CHECK(sum.vertices.size() == 3);
  CHECK(sum.checkpoints.interval_ms == 100);
  CHECK(sum.max_parallelism() == 4);
  CHECK(sum.total_subtasks() == 10);

  auto print = load_job_spec((jobs / "jobs/print_numbers.json").string(),
                             operator_registry::global());
  CHECK(print.vertices[1].op == "stdout");

  // The input path is relative to the repository root; point it there from any directory.
  auto words = load_job_spec((jobs / "jobs/word_count.json").string(),
                             operator_registry::global(),
                             {"lines.path=" + (jobs / "data/words.txt").string()});
  REQUIRE(words.vertices.size() == 4);
  CHECK(words.vertices[0].op == "file_lines");
  CHECK(words.vertices[3].op == "transactional_file");
  CHECK(words.edges[2].part == partitioning::forward);
}

TEST_CASE("a cluster client makes relative path parameters absolute, and only those") {
  job_graph graph;  // built directly: parsing would check that the input file exists here
  graph.vertices = {
    {"lines", "file_lines", 1, R"({"path": "data/../data/words.txt", "rate_per_subtask": 5})"},
    {"rel", "transactional_file", 1, R"({"output_dir": "out/wc"})"},
    {"abs", "transactional_file", 1, R"({"output_dir": "/srv/out"})"},
    {"other", "keyed_sum", 1, R"({"keys": 4})"},
  };
  make_paths_absolute(graph, operator_registry::global(), "/home/user/jobs");
  auto params_of = [&](const std::string& id) {
    for (auto& v : graph.vertices)
      if (v.id == id)
        return json::parse(v.params_json);
    FAIL("no vertex " << id);
    return json{};
  };
  CHECK(params_of("lines")["path"] == "/home/user/jobs/data/words.txt");
  CHECK(params_of("rel")["output_dir"] == "/home/user/jobs/out/wc");
  CHECK(params_of("lines")["rate_per_subtask"] == 5);
  CHECK(params_of("abs")["output_dir"] == "/srv/out");
  CHECK(params_of("other")["keys"] == 4);
}
