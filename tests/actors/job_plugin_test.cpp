// Operator plugins shipped with a job, in an embedded cluster: a plugin that cannot be used
// fails its own job, with the reason, and no other.
#include <doctest/doctest.h>

#include <caf/actor_system.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "plugins/content_hash.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

struct plugin_fixture {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  temp_dir good_dir;
  temp_dir bad_dir;
  embedded_cluster cluster{sys, [] {
                             embedded_cluster_options o;
                             o.task_managers = 2;
                             o.slots_per_task_manager = 4;
                             return o;
                           }()};
  job_client client{sys, cluster.endpoint()};
};

/// The sum job with a plugin attached whose blob is `bytes` announced under `sha256`.
job_graph with_plugin(job_graph graph, std::string bytes, std::string sha256) {
  graph.plugins.push_back({"libbroken.so", std::move(sha256), std::move(bytes)});
  graph.restart.max_attempts = 1;
  graph.restart.delay_ms = 10;
  return graph;
}

void check_fails_alone(plugin_fixture& f, const job_graph& broken, const std::string& reason) {
  REQUIRE(f.client.connect());
  auto good = f.client.submit(sum_job(f.good_dir.str(), 20000, 0, 20));
  auto bad = f.client.submit(broken);
  REQUIRE(good);
  REQUIRE(bad);
  auto bad_end = f.client.wait_until_done(*bad, 60s);
  REQUIRE(bad_end);
  CHECK(bad_end->state == job_state::failed);
  INFO(bad_end->failure);
  CHECK(bad_end->failure.find(reason) != std::string::npos);
  auto good_end = f.client.wait_until_done(*good, 60s);
  REQUIRE(good_end);
  CHECK(good_end->state == job_state::finished);
  CHECK(verify_sum(f.good_dir.str(), 20000).passed);
}

}  // namespace

TEST_CASE_FIXTURE(plugin_fixture, "a plugin that is no shared object fails its job alone") {
  std::string bytes = "this is not an ELF file";
  check_fails_alone(*this, with_plugin(sum_job(bad_dir.str(), 1000, 0, 20), bytes,
                                       sha256_hex(bytes)),
                    "not a loadable shared object");
}

TEST_CASE_FIXTURE(plugin_fixture, "plugin bytes that do not match their hash are refused") {
  check_fails_alone(*this, with_plugin(sum_job(bad_dir.str(), 1000, 0, 20), "some bytes",
                                       sha256_hex("other bytes")),
                    "hash");
}
