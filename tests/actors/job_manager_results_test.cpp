// A new leader answers status and list requests about jobs that ended under an earlier leader
// from the job result store (the record written before a finished job's graph is removed).
#include <doctest/doctest.h>

#include <algorithm>

#include <caf/actor_system.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "stores/ha_services.hpp"

using namespace fjord;

namespace {

const std::string finished_job = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
const std::string failed_job = "fafafafafafafafafafafafafafafafa";

/// Standalone services whose result store holds two jobs an earlier leader saw end.
ha_services services_with_results() {
  auto services = make_standalone_ha_services();
  services.job_results->put(job_result{finished_job, job_state::finished, 1'700'000'000'000, ""});
  services.job_results->put(
    job_result{failed_job, job_state::failed, 1'700'000'100'000, "restarts exhausted"});
  return services;
}

struct results_fixture {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options options;
  results_fixture() { options.task_managers = 1; }
};

}  // namespace

TEST_CASE_FIXTURE(results_fixture,
                  "status of a job that ended under an earlier leader: its recorded result") {
  embedded_cluster cluster{sys, options, services_with_results()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto finished = client.status(finished_job);
  REQUIRE(finished);
  CHECK(finished->job_id == finished_job);
  CHECK(finished->state == job_state::finished);
  CHECK(finished->ended_ms == 1'700'000'000'000);
  auto failed = client.status(failed_job);
  REQUIRE(failed);
  CHECK(failed->state == job_state::failed);
  CHECK(failed->failure == "restarts exhausted");

  auto unknown = client.status("0123456789abcdef0123456789abcdef");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == errc::unknown_job);
  CHECK(describe(unknown.error()) == "unknown job 0123456789abcdef0123456789abcdef");

  job_client stale{sys, cluster.endpoint()};
  stale.use_session("00000000-0000-4000-8000-000000000000");
  auto fenced = stale.status(finished_job);
  REQUIRE_FALSE(fenced);
  CHECK(fenced.error() == errc::fenced);
}

TEST_CASE_FIXTURE(results_fixture,
                  "list includes jobs that ended under an earlier leader, newest kept, oldest "
                  "first") {
  SUBCASE("all retained") {
    embedded_cluster cluster{sys, options, services_with_results()};
    job_client client{sys, cluster.endpoint()};
    REQUIRE(client.connect());
    auto listed = client.list();
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].job_id == finished_job);
    CHECK((*listed)[1].job_id == failed_job);
    CHECK((*listed)[1].state == job_state::failed);
  }
  SUBCASE("only the newest within retained_finished_jobs") {
    options.job_manager.retained_finished_jobs = 1;
    embedded_cluster cluster{sys, options, services_with_results()};
    job_client client{sys, cluster.endpoint()};
    REQUIRE(client.connect());
    auto listed = client.list();
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    CHECK(listed->front().job_id == failed_job);
  }
}
