// Fencing by leader session, one test per direction (issue 4): a message or a blocking result
// that belongs to another leader session (or an earlier execution attempt) changes nothing, and
// the same message under the current session does — so each test shows both sides.
//
//   TaskManager -> JobManager   register_task_manager under a stale session is refused
//   task        -> job          task_state_changed of a stale session or attempt is dropped
//   store worker -> JobManager  a graph persisted after leadership changed is not run under
//                               the old session; the submitter is told it was fenced
// (JobManager -> TaskManager cancel_tasks and job -> task start_task / trigger_checkpoint run on
// the deterministic scheduler: tests/deterministic/fencing_test.cpp. Client -> JobManager,
// JobManager -> TaskManager deployments and task -> coordinator acknowledgements are covered in
// job_test.cpp and tests/deterministic/checkpoint_coordinator_test.cpp.)
#include <doctest/doctest.h>

#include <future>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "actors/task.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/task_messages.hpp"
#include "stores/leader_election.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/latch_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

const std::string stale_session = "00000000-0000-4000-8000-000000000000";

using register_atom = caf::atom_constant<caf::atom("register")>;

/// What the stand-in TaskManager saw: every deployment it accepted, with its session.
struct deployments_seen {
  std::mutex mtx;
  std::vector<std::string> sessions;
  std::vector<std::int32_t> attempts;
  task_report_actor job;  ///< the job actor named in the deployments

  std::size_t count() {
    std::lock_guard<std::mutex> guard{mtx};
    return sessions.size();
  }
};

/// A TaskManager stand-in that registers under whatever session the test gives it, so the
/// test controls fencing from the TaskManager's side; it runs real tasks for every deployment.
caf::behavior stand_in_task_manager(caf::event_based_actor* self, job_manager_actor job_manager,
                                    std::shared_ptr<deployments_seen> seen) {
  auto tasks = std::make_shared<std::vector<std::pair<std::int32_t, task_actor>>>();
  return {
    [=](register_atom, const std::string& session) {
      return self->delegate(job_manager, register_task_manager{
                                           session, "stand-in",
                                           caf::actor_cast<task_manager_actor>(self), 8});
    },
    [=](const deploy_task& msg) -> task_actor {
      auto task = spawn_task(self->system(), msg.leader_session, msg.deployment);
      tasks->emplace_back(msg.deployment.attempt, task);
      std::lock_guard<std::mutex> guard{seen->mtx};
      seen->sessions.push_back(msg.leader_session);
      seen->attempts.push_back(msg.deployment.attempt);
      seen->job = msg.deployment.job;
      return task;
    },
    [=](const cancel_tasks& msg) {
      for (auto& [attempt, task] : *tasks)
        if (attempt <= msg.attempt)
          self->send_exit(task, caf::exit_reason::kill);
    },
  };
}

struct fencing_fixture {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  temp_dir dir;
  caf::scoped_actor self{sys};

  /// Registers `tm` under `session`: the JobManager's answer, or its error message.
  std::string register_under(const caf::actor& tm, const std::string& session) {
    std::string outcome = "no reply";
    self->request(tm, 5s, register_atom::value, session)
      .receive([&](const task_manager_registered& r) {
                 outcome = "registered (" + std::to_string(r.registered_task_managers) + ")";
               },
               [&](caf::error& e) {
                 // The code, so that a rewording of the message cannot hide a wrong answer.
                 auto code = errc_of(e);
                 outcome = code ? to_string(*code) : describe(e);
               });
    return outcome;
  }
};

embedded_cluster_options no_task_managers() {
  embedded_cluster_options o;
  o.task_managers = 0;
  o.job_manager.job.slot_wait_ms = 1000;  // a job without slots fails fast
  return o;
}

}  // namespace

TEST_CASE_FIXTURE(fencing_fixture,
                  "TaskManager -> JobManager: a registration under a stale session is refused") {
  embedded_cluster cluster{sys, no_task_managers()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto seen = std::make_shared<deployments_seen>();
  auto tm = sys.spawn(stand_in_task_manager, cluster.job_manager(), seen);
  CHECK(register_under(tm, stale_session) == "fenced");
  CHECK(register_under(tm, "") == "fenced");
  // The refused registrations left no slots behind: a job finds none...
  auto job = client.submit(sum_job(dir.str(), 1000, 0, 0, "none"));
  REQUIRE(job);
  CHECK(eventually([&] {
    auto r = client.status(*job);
    return r && r->failure.find("slot") != std::string::npos;
  }, 30s));
  CHECK(seen->count() == 0);
  // ...and the same TaskManager under the leader's session is the only one registered.
  CHECK(register_under(tm, client.session()) == "registered (1)");
  self->send_exit(tm, caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(fencing_fixture,
                  "task -> job: a failure report of a stale session or an earlier attempt is "
                  "dropped") {
  embedded_cluster cluster{sys, no_task_managers()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto seen = std::make_shared<deployments_seen>();
  auto tm = sys.spawn(stand_in_task_manager, cluster.job_manager(), seen);
  REQUIRE(register_under(tm, client.session()) == "registered (1)");
  // 3 sources x 5,000 records/s: about 4 s of input, checkpoints every 50 ms.
  constexpr std::int64_t records = 60000;
  auto job = client.submit(sum_job(dir.str(), records, 5000, 50));
  REQUIRE(job);
  REQUIRE(eventually([&] {
    auto r = client.status(*job);
    return r && r->state == job_state::running && r->checkpoints_completed >= 1;
  }));
  task_report_actor job_actor;
  {
    std::lock_guard<std::mutex> guard{seen->mtx};
    job_actor = seen->job;
  }
  REQUIRE(job_actor);
  auto failure = [&](const std::string& session, std::int32_t attempt, const char* which) {
    return task_state_changed{session,          *job, attempt, "out", 0, task_state::failed,
                              std::string{"forged failure ("} + which + ")"};
  };
  auto restarts = [&] {
    auto r = client.status(*job);
    return r ? r->restarts : -1;
  };
  // Dropped, proven by order: the job handles these in the order sent, so had either of the
  // first two been taken, the third (of an attempt then over) would be dropped instead and the
  // restart's cause would name the forged one.
  self->send(job_actor, failure(stale_session, 0, "stale session"));  // another leader's task
  self->send(job_actor, failure(client.session(), 1, "no such attempt"));
  self->send(job_actor, failure(client.session(), 0, "current"));
  CHECK(eventually([&] { return restarts() == 1; }, 10s));
  auto restarted = client.status(*job);
  REQUIRE(restarted);
  CHECK(restarted->failure == "task out#0 failed: forged failure (current)");
  CHECK(eventually([&] {
    auto r = client.status(*job);
    return r && r->state == job_state::running && r->attempt == 1;
  }));
  // Attempt 0 is over now: its late report is dropped too.
  self->send(job_actor, failure(client.session(), 0, "late"));
  auto report = client.wait_until_done(*job, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
  CHECK(report->restarts == 1);
  auto verdict = verify_sum(dir.str(), records);
  INFO(verdict.verdict);
  CHECK(verdict.passed);
  self->send_exit(tm, caf::exit_reason::user_shutdown);
}

/// A leader election whose leadership the test moves: revoked, then granted under a new
/// session, with has_leadership() agreeing (the store workers' fence asks it).
class movable_election : public leader_election_service {
 public:
  void start(leader_contender* contender) override {
    std::lock_guard<std::mutex> guard{mtx_};
    contender_ = contender;
    session_ = "11111111-1111-4111-8111-000000000001";
    contender_->grant_leadership(session_);
  }
  void stop() override {
    std::lock_guard<std::mutex> guard{mtx_};
    session_.clear();
  }
  void confirm_leadership(const std::string&, const std::string&) override {}
  bool has_leadership(const std::string& session) override {
    std::lock_guard<std::mutex> guard{mtx_};
    return !session_.empty() && session == session_;
  }
  void move_to(const std::string& session) {
    std::lock_guard<std::mutex> guard{mtx_};
    session_.clear();
    contender_->revoke_leadership();
    session_ = session;
    contender_->grant_leadership(session_);
  }

 private:
  std::mutex mtx_;
  leader_contender* contender_ = nullptr;
  std::string session_;
};

TEST_CASE_FIXTURE(fencing_fixture,
                  "store worker -> JobManager: a graph persisted after leadership changed is "
                  "not run under the old session, and the submitter is told it was fenced") {
  auto store = std::make_shared<latched_graph_store>();
  auto election = std::make_shared<movable_election>();
  auto services = make_standalone_ha_services();
  services.job_graphs = store;
  services.election = election;
  embedded_cluster cluster{sys, no_task_managers(), services};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto old_session = client.session();
  auto seen = std::make_shared<deployments_seen>();
  auto tm = sys.spawn(stand_in_task_manager, cluster.job_manager(), seen);
  REQUIRE(register_under(tm, old_session) == "registered (1)");
  constexpr std::int64_t records = 3000;
  auto graph = sum_job(dir.str(), records, 0, 20);
  graph.job_id = "feedfacefeedfacefeedfacefeedface";
  store->block = true;
  auto submitted = std::async(std::launch::async, [&] { return client.submit(graph); });
  REQUIRE(eventually([&] { return store->waiting.load() == 1; }, 10s));
  // Leadership moves on while the store call hangs: revoked, then granted with a new session.
  const std::string new_session = "22222222-2222-4222-8222-222222222222";
  election->move_to(new_session);
  REQUIRE(eventually([&] {
    std::string s;
    self->request(cluster.job_manager(), 5s, leader_atom::value)
      .receive([&](const std::string& x) { s = x; }, [&](caf::error&) {});
    return s == new_session;
  }, 10s));
  store->release_promise.set_value();
  auto result = submitted.get();
  REQUIRE_FALSE(result);
  CHECK(result.error() == errc::fenced);
  // The graph was persisted, so the new session recovers and runs it — once, and never with
  // the old session's deployments.
  CHECK(register_under(tm, old_session) == "fenced");
  REQUIRE(register_under(tm, new_session) == "registered (1)");
  job_client current{sys, cluster.endpoint()};
  current.use_session(new_session);
  auto report = current.wait_until_done(graph.job_id, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
  CHECK(report->restarts == 0);
  {
    std::lock_guard<std::mutex> guard{seen->mtx};
    CHECK(seen->sessions.size() == 7);  // 3 + 2 + 2 subtasks, one attempt
    for (auto& s : seen->sessions)
      CHECK(s == new_session);
  }
  auto verdict = verify_sum(dir.str(), records);
  INFO(verdict.verdict);
  CHECK(verdict.passed);
  self->send_exit(tm, caf::exit_reason::user_shutdown);
}
