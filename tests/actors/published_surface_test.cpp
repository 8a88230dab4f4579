// What a JobManager publishes to the network is its public protocol only
// (actors/job_manager_endpoint.hpp). A peer in another actor system, connected over loopback as
// a client or a TaskManager would be, sends every internal message the job manager handles —
// leadership grants and revocations, the election's final error, the start of contending,
// job graph store events, a job's report — through an untyped handle of the published actor.
// Each one is refused with unexpected_message, and the leader, its session and the running job
// are unchanged. The public requests still work, and their fjord::errc codes cross the wire.
#include <doctest/doctest.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/errors.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "messages/internal_messages.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

struct published_fixture {
  runtime_config server_cfg{true};
  caf::actor_system server{server_cfg};
  runtime_config stranger_cfg{true};
  caf::actor_system stranger{stranger_cfg};
  temp_dir dir;
};

/// The error `request` of `xs` to `dest` came back with, or none if it was answered.
template <class... Ts>
caf::error refusal(caf::actor_system& sys, const caf::actor& dest, Ts&&... xs) {
  caf::scoped_actor self{sys};
  caf::error result;
  self->request(dest, 5s, std::forward<Ts>(xs)...)
    .receive([&](caf::message&) {}, [&](caf::error& e) { result = std::move(e); });
  return result;
}

}  // namespace

TEST_CASE_FIXTURE(published_fixture,
                  "internal messages sent by a remote peer to the published JobManager are "
                  "refused, and nothing changes") {
  embedded_cluster_options o;
  o.task_managers = 1;
  o.slots_per_task_manager = 4;
  embedded_cluster cluster{server, o};
  job_client local{server, cluster.endpoint()};
  REQUIRE(local.connect());
  auto session = local.session();
  auto job = local.submit(sum_job(dir.str(), 10'000'000, 200, 50));
  REQUIRE(job);
  REQUIRE(eventually([&] {
    auto r = local.status(*job);
    return r && r->state == job_state::running && r->checkpoints_completed >= 1;
  }));

  auto port = server.middleman().publish(cluster.endpoint(), 0, "127.0.0.1", true);
  REQUIRE(port);
  auto remote =
    stranger.middleman().remote_actor<job_manager_endpoint_actor>("127.0.0.1", *port);
  REQUIRE(remote);

  // The public protocol answers, fenced as before; its error codes survive the wire.
  job_client client{stranger, *remote, 5s};
  REQUIRE(client.connect());
  CHECK(client.session() == session);
  auto unknown = client.status("0123456789abcdef0123456789abcdef");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().category() == errc_category);
  CHECK(unknown.error() == errc::unknown_job);
  CHECK(describe(unknown.error()) == "unknown job 0123456789abcdef0123456789abcdef");

  auto untyped = caf::actor_cast<caf::actor>(*remote);
  const std::string rogue_session = "00000000-0000-4000-8000-000000000000";
  job_status_report forged;
  forged.job_id = *job;
  forged.state = job_state::failed;
  forged.failure = "forged by a stranger";
  CHECK(refusal(stranger, untyped, revoke_atom::value) == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, grant_atom::value, rogue_session)
        == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, ha_error_atom::value, std::string{"forged"})
        == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, start_atom::value, std::string{"127.0.0.1:1"})
        == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, graph_added_atom::value, std::string{*job})
        == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, graph_removed_atom::value, std::string{*job})
        == caf::sec::unexpected_message);
  CHECK(refusal(stranger, untyped, forged) == caf::sec::unexpected_message);

  // Nothing changed: same leader session, the job still runs its first attempt, and it reads
  // as the job manager itself saw it, not as forged.
  caf::scoped_actor self{server};
  std::string current;
  self->request(cluster.job_manager(), 5s, leader_atom::value)
    .receive([&](std::string& s) { current = s; }, [&](caf::error&) {});
  CHECK(current == session);
  auto report = local.status(*job);
  REQUIRE(report);
  CHECK(report->state == job_state::running);
  CHECK(report->attempt == 0);
  CHECK(report->restarts == 0);
  CHECK(report->failure.empty());
  // And the job still makes progress after all that.
  auto before = report->checkpoints_completed;
  CHECK(eventually([&] {
    auto r = local.status(*job);
    return r && r->checkpoints_completed > before;
  }));
  REQUIRE(local.cancel(*job));
}
