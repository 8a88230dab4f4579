// What a stranger on the network may send the published JobManager within its public protocol
// is bounded (issue 13, item 4): a peer in another actor system, connected over loopback, sends
// registrations with absurd slot counts or the id of a live TaskManager, requests naming job ids
// that are no job ids, and a graph beyond jobmanager.max-graph-bytes. Each is refused with one
// line and a fjord::errc, before it touches a store or the TaskManager registry: the real
// TaskManager keeps its slots, nothing is persisted, and the job runs to its exactly-once end.
#include <doctest/doctest.h>

#include <atomic>
#include <climits>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/errors.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "messages/task_messages.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

struct stranger_fixture {
  runtime_config server_cfg{true};
  caf::actor_system server{server_cfg};
  runtime_config stranger_cfg{true};
  caf::actor_system stranger{stranger_cfg};
  temp_dir dir;
};

/// A TaskManager impostor in the stranger's system: it counts what the JobManager sends it
/// (deployments, cancellations) and answers nothing.
caf::behavior impostor(caf::event_based_actor* self, std::shared_ptr<std::atomic<int>> received) {
  self->set_default_handler(
    [received](caf::scheduled_actor* ptr, caf::message_view& x) -> caf::result<caf::message> {
      ++*received;
      return caf::drop(ptr, x);
    });
  return {[](int) {}};
}

/// The registration's outcome as the errc name, or "registered".
std::string register_as(caf::actor_system& sys, const job_manager_endpoint_actor& jm,
                        register_task_manager msg) {
  caf::scoped_actor self{sys};
  std::string outcome = "no reply";
  self->request(jm, 5s, std::move(msg))
    .receive([&](const task_manager_registered&) { outcome = "registered"; },
             [&](caf::error& e) {
               auto code = errc_of(e);
               outcome = (code ? std::string{to_string(*code)} : std::string{"other"}) + ": "
                         + describe(e);
             });
  return outcome;
}

std::string code_of(const caf::error& e) {
  auto code = errc_of(e);
  return code ? to_string(*code) : describe(e);
}

}  // namespace

TEST_CASE_FIXTURE(stranger_fixture,
                  "a stranger's registrations with absurd slot counts, a live TaskManager's id or "
                  "a bad id are refused; the real TaskManager keeps its slots and runs the job") {
  embedded_cluster_options o;
  o.task_managers = 1;  // "tm-1"
  o.slots_per_task_manager = 3;
  o.job_manager.limits.max_task_manager_slots = 64;
  embedded_cluster cluster{server, o};
  auto port = server.middleman().publish(cluster.endpoint(), 0, "127.0.0.1", true);
  REQUIRE(port);
  auto remote =
    stranger.middleman().remote_actor<job_manager_endpoint_actor>("127.0.0.1", *port);
  REQUIRE(remote);
  job_client client{stranger, *remote, 5s};
  REQUIRE(client.connect());
  auto session = client.session();
  // The real tm-1 registers on its own; a first job that ran on it says it has. (Before that,
  // a stranger's registration under tm-1 would be the first and win: ids are unique, not
  // authenticated, which is TLS's part.)
  auto first = client.submit(sum_job(dir.str() + "/first", 100, 0, 0));
  REQUIRE(first);
  auto first_end = client.wait_until_done(*first, 60s);
  REQUIRE(first_end);
  REQUIRE(first_end->state == job_state::finished);

  auto received = std::make_shared<std::atomic<int>>(0);
  auto fake = caf::actor_cast<task_manager_actor>(stranger.spawn(impostor, received));
  auto registration = [&](std::string id, std::int32_t slots) {
    return register_task_manager{session, std::move(id), fake, slots, "127.0.0.1", 1};
  };
  CHECK(register_as(stranger, *remote, registration("fake", INT32_MAX))
        == "invalid_argument: task manager registration refused: task manager fake offers "
           "2147483647 slots; expected 1 to taskmanager.max-slots (64)");
  CHECK(register_as(stranger, *remote, registration("fake", 65)).rfind("invalid_argument", 0)
        == 0);
  CHECK(register_as(stranger, *remote, registration("fake", 0)).rfind("invalid_argument", 0)
        == 0);
  CHECK(register_as(stranger, *remote, registration("fake", -7)).rfind("invalid_argument", 0)
        == 0);
  CHECK(register_as(stranger, *remote, registration("tm-1", 64))
        == "already_exists: task manager registration refused: the id tm-1 is registered by "
           "another live task manager");
  CHECK(register_as(stranger, *remote, registration("", 2))
        == "invalid_argument: task manager registration refused: its id must have 1 to 128 "
           "characters, got 0");
  CHECK(register_as(stranger, *remote, registration(std::string(129, 'x'), 2))
          .rfind("invalid_argument", 0)
        == 0);
  CHECK(register_as(stranger, *remote, registration("tm\n-2", 2))
        == "invalid_argument: task manager registration refused: its id contains control "
           "characters");
  auto no_handle = registration("nobody", 2);
  no_handle.task_manager = nullptr;
  CHECK(register_as(stranger, *remote, no_handle)
        == "invalid_argument: task manager registration refused: no task manager handle");

  // The real TaskManager still owns tm-1 and its 3 slots: a job of parallelism 3 runs on it
  // alone, and the impostor never hears from the JobManager.
  constexpr std::int64_t records = 20000;
  auto job = client.submit(sum_job(dir.str(), records, 0, 20));
  REQUIRE(job);
  auto report = client.wait_until_done(*job, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
  CHECK(report->restarts == 0);
  auto verdict = verify_sum(dir.str(), records);
  INFO(verdict.verdict);
  CHECK(verdict.passed);
  CHECK(received->load() == 0);

  // A registration within bounds under a fresh id is still accepted (the checks refuse what is
  // wrong, not strangers as such: that is TLS's job, issue 13 item 1).
  CHECK(register_as(stranger, *remote, registration("fake", 64)) == "registered");
  caf::anon_send_exit(caf::actor_cast<caf::actor>(fake), caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(stranger_fixture,
                  "requests naming job ids that are no job ids are refused before any store "
                  "sees them, and an oversized graph is refused before it is persisted") {
  embedded_cluster_options o;
  o.task_managers = 1;
  o.slots_per_task_manager = 3;
  o.job_manager.limits.max_graph_bytes = 1 << 20;
  embedded_cluster cluster{server, o};
  auto port = server.middleman().publish(cluster.endpoint(), 0, "127.0.0.1", true);
  REQUIRE(port);
  auto remote =
    stranger.middleman().remote_actor<job_manager_endpoint_actor>("127.0.0.1", *port);
  REQUIRE(remote);
  job_client client{stranger, *remote, 5s};
  REQUIRE(client.connect());

  const std::vector<std::string> bad_ids = {
    "", "../../../etc/passwd", "0123456789ABCDEF0123456789ABCDEF",
    std::string{"0123456789abcdef0123456789abcde\0", 32}, "0123456789abcdef0123456789abcdef0",
    std::string(100000, 'a')};
  for (auto& id : bad_ids) {
    CAPTURE(id.size());
    auto status = client.status(id);
    REQUIRE_FALSE(status);
    CHECK(code_of(status.error()) == "invalid_argument");
    CHECK(describe(status.error()).find("expected 32 lowercase hex digits") != std::string::npos);
    CHECK(describe(status.error()).size() < 200);  // one line, the id cut short
    auto cancel = client.cancel(id);
    REQUIRE_FALSE(cancel);
    CHECK(code_of(cancel.error()) == "invalid_argument");
    auto inject = client.inject_failure(id, 1);
    REQUIRE_FALSE(inject);
    CHECK(code_of(inject.error()) == "invalid_argument");
    caf::scoped_actor self{stranger};
    std::string fetched = "answered";
    self->request(*remote, 5s, fetch_plugin{client.session(), id, std::string(64, '0')})
      .receive([&](std::string&) {}, [&](caf::error& e) { fetched = code_of(e); });
    CHECK(fetched == "invalid_argument");
  }
  auto control = client.status(std::string{"01234567\n9abcdef0123456789abcdef"});
  REQUIRE_FALSE(control);
  CHECK(describe(control.error())
        == "invalid job id '01234567\\x0a9abcdef0123456789abcdef': expected 32 lowercase hex "
           "digits");
  // A well-formed id still gets its ordinary answer.
  auto unknown = client.status("0123456789abcdef0123456789abcdef");
  REQUIRE_FALSE(unknown);
  CHECK(code_of(unknown.error()) == "unknown_job");

  // A graph with a 2 MiB plugin is more than max-graph-bytes (1 MiB): refused, not persisted.
  auto big = sum_job(dir.str(), 1000, 0, 0);
  big.plugins.push_back({"libhuge.so", std::string(64, 'f'), std::string(2 << 20, '\x7f')});
  auto refused = client.submit(big);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == "invalid_job");
  CHECK(describe(refused.error()).find("more than jobmanager.max-graph-bytes (1048576)")
        != std::string::npos);
  auto bad_id_graph = sum_job(dir.str(), 1000, 0, 0);
  bad_id_graph.job_id = "../x";
  auto refused_id = client.submit(bad_id_graph);
  REQUIRE_FALSE(refused_id);
  CHECK(code_of(refused_id.error()) == "invalid_job");
  auto listed = client.list();
  REQUIRE(listed);
  CHECK(listed->empty());
}
