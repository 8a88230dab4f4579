// The public API as a user's program sees it: only <fjord/...> headers, linked against
// libfjord.so. A user operator runs in a local cluster inside the test's own actor system.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <fjord/fjord.hpp>

#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;

class times_seven : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value * 7); }
  std::string snapshot(std::int64_t) override { return {}; }
  void restore(const std::string&, std::int64_t) override {}
};

/// The test's own registry: the built-ins plus "api_times_seven".
const fjord::operator_registry& user_registry() {
  static fjord::operator_registry registry = [] {
    fjord::operator_registry r;
    fjord::register_builtin_operators(r);
    fjord::operator_descriptor d;
    d.name = "api_times_seven";
    d.description = "multiplies by seven";
    d.validate = [](const fjord::operator_params& p) { p.allow_only({}); };
    d.create = [] { return std::make_unique<times_seven>(); };
    r.add(d);
    fjord::operator_registry::global().add(d);  // tasks find operators in the global one
    return r;
  }();
  return registry;
}

struct user_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  explicit user_system(bool network = false) {
    fjord::add_message_types(cfg);
    if (network)
      fjord::add_networking(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

/// Every line of the committed part files in `dir`, as numbers, sorted.
std::vector<std::int64_t> committed_numbers(const std::filesystem::path& dir) {
  std::vector<std::int64_t> numbers;
  for (auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("part-", 0) != 0)
      continue;
    std::ifstream in{entry.path()};
    for (std::string line; std::getline(in, line);)
      numbers.push_back(std::stoll(line));
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

fjord::job times_seven_job(const std::string& out_dir, std::int64_t to) {
  return fjord::job_builder{"api times seven"}
    .vertex("numbers", "sequence", 2, {{"from", 1}, {"to", to}})
    .vertex("x7", "api_times_seven", 2)
    .vertex("out", "transactional_file", 1, {{"output_dir", out_dir}})
    .edge("numbers", "x7", "forward")
    .edge("x7", "out", "rebalance")
    .checkpoint_interval(20ms)
    .build(user_registry());
}

}  // namespace

TEST_CASE("job_builder: builds a spec that the same checks as a JSON spec validate") {
  auto job = times_seven_job("out", 10);
  CHECK(job.name() == "api times seven");
  CHECK(job.slots_needed() == 2);
  CHECK(job.vertices() == std::vector<std::string>{"numbers", "x7", "out"});

  auto unknown = fjord::job_builder{"bad"}.vertex("a", "no_such_operator");
  CHECK_THROWS_WITH_AS(unknown.build(user_registry()),
                       doctest::Contains("no_such_operator"), fjord::spec_error);
  auto cycle_free_but_bad_edge = fjord::job_builder{"bad"}
                                   .vertex("n", "sequence", 1, {{"from", 1}, {"to", 2}})
                                   .edge("n", "missing");
  CHECK_THROWS_AS(cycle_free_but_bad_edge.build(user_registry()), fjord::spec_error);
  auto bad_param = fjord::job_builder{"bad"}.vertex("n", "sequence", 1, {{"form", 1}});
  CHECK_THROWS_AS(bad_param.build(user_registry()), fjord::spec_error);
  CHECK_THROWS_AS(fjord::job::from_json("{not json", {}, user_registry()), fjord::spec_error);
  CHECK_THROWS_AS(fjord::job::from_file("/nonexistent/job.json", {}, user_registry()),
                  fjord::spec_error);
  // The builder's spec is what from_json reads.
  auto again = fjord::job::from_json(
    fjord::job_builder{"round trip"}.vertex("n", "sequence", 3, {{"from", 1}, {"to", 5}}).spec().dump(),
    {}, user_registry());
  CHECK(again.slots_needed() == 3);
}

TEST_CASE("local_cluster: a user operator runs exactly once in the user's own actor system") {
  user_system user;
  fjord::testing::temp_dir dir;
  fjord::local_cluster cluster{*user.sys, {2, 2, {}}};
  CHECK(cluster.total_slots() == 4);
  auto id = cluster.client().submit(times_seven_job(dir.file("out"), 1000));
  REQUIRE_MESSAGE(id, fjord::describe(id.error()));
  auto end = cluster.client().wait(*id, 60s);
  REQUIRE_MESSAGE(end, fjord::describe(end.error()));
  CHECK(end->state == fjord::job_state::finished);
  CHECK(end->checkpoints_completed >= 1);
  std::vector<std::int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 1);
  for (auto& v : expected)
    v *= 7;
  CHECK(committed_numbers(dir.file("out")) == expected);
  auto listed = cluster.client().list();
  REQUIRE(listed);
  CHECK(std::any_of(listed->begin(), listed->end(),
                    [&](const fjord::job_status_report& r) { return r.job_id == *id; }));
}

TEST_CASE("local_cluster: errors are fjord::errc codes with one line") {
  user_system user;
  fjord::local_cluster cluster{*user.sys};
  auto unknown = cluster.client().status("0123456789abcdef0123456789abcdef");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == fjord::errc::unknown_job);
  CHECK(fjord::errc_of(unknown.error()) == fjord::errc::unknown_job);
  CHECK_FALSE(fjord::describe(unknown.error()).empty());
  auto cancel = cluster.client().cancel("0123456789abcdef0123456789abcdef");
  REQUIRE_FALSE(cancel);
  CHECK(cancel.error() == fjord::errc::unknown_job);
  CHECK_THROWS_AS(fjord::local_cluster(*user.sys, {0, 1, {}}), fjord::config_error);
}

TEST_CASE("local_cluster: cancel stops a running job") {
  user_system user;
  fjord::testing::temp_dir dir;
  fjord::local_cluster cluster{*user.sys, {1, 2, {}}};
  auto endless = fjord::job_builder{"long"}
                   .vertex("n", "sequence", 1,
                           {{"from", 1}, {"to", 1000000000}, {"rate_per_subtask", 1000}})
                   .vertex("p", "transactional_file", 1, {{"output_dir", dir.file("out")}})
                   .edge("n", "p", "forward")
                   .build(user_registry());
  auto id = cluster.client().submit(endless);
  REQUIRE(id);
  for (int i = 0; i < 200; ++i) {
    auto s = cluster.client().status(*id);
    REQUIRE(s);
    if (s->state == fjord::job_state::running && s->records_in > 0)
      break;
    std::this_thread::sleep_for(20ms);
  }
  auto canceled = cluster.client().cancel(*id);
  REQUIRE_MESSAGE(canceled, fjord::describe(canceled.error()));
  auto end = cluster.client().wait(*id, 30s);
  REQUIRE(end);
  CHECK(end->state == fjord::job_state::canceled);
  CHECK(end->records_in < 1000000000);
}

TEST_CASE("client::connect: no JobManager is a not_leader error that says where it looked") {
  user_system user{true};
  fjord::configuration config;
  config.set("recovery.mode", "standalone");
  config.set("jobmanager.address", "127.0.0.1:1");
  auto c = fjord::client::connect(*user.sys, config, 600ms);
  REQUIRE_FALSE(c);
  CHECK(c.error() == fjord::errc::not_leader);
  CHECK(fjord::describe(c.error()).find("127.0.0.1:1") != std::string::npos);
}

TEST_CASE("a job with an operator plugin: validated with it, run by TaskManagers that load it") {
  user_system user;
  fjord::testing::temp_dir dir;
  fjord::local_cluster cluster{*user.sys, {2, 2, {}}};
  auto builder = fjord::job_builder{"tripled"}
                   .vertex("numbers", "sequence", 2, {{"from", 1}, {"to", 500}})
                   .vertex("x3", "plugin_test_triple", 2)
                   .vertex("out", "transactional_file", 1, {{"output_dir", dir.file("out")}})
                   .edge("numbers", "x3")
                   .edge("x3", "out", "rebalance");
  // Without the plugin the operator is unknown.
  CHECK_THROWS_AS(builder.build(), fjord::spec_error);
  auto job = fjord::job_builder{builder}.plugin(FJORD_TEST_PLUGIN_TRIPLE).build();
  auto id = cluster.client().submit(job);
  REQUIRE_MESSAGE(id, fjord::describe(id.error()));
  auto end = cluster.client().wait(*id, 60s);
  REQUIRE(end);
  CHECK_MESSAGE(end->state == fjord::job_state::finished, end->failure);
  std::vector<std::int64_t> expected(500);
  std::iota(expected.begin(), expected.end(), 1);
  for (auto& v : expected)
    v *= 3;
  CHECK(committed_numbers(dir.file("out")) == expected);
  // The plugin's operator lives in the job's registry, not in the process-wide one.
  CHECK(fjord::operator_registry::global().find("plugin_test_triple") == nullptr);
  // A plugin built against another Fjord minor version: one line naming the file.
  try {
    fjord::job_builder{builder}.plugin(FJORD_TEST_PLUGIN_OTHER_MINOR).build();
    FAIL("a plugin of another minor version was accepted");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    CHECK(what.find(FJORD_TEST_PLUGIN_OTHER_MINOR) != std::string::npos);
    CHECK(what.find("built against") != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
}
