// A task takes each message only from the actor wired to send it (issue 13, item 2): records
// and barriers from the upstream task of that input channel, credits from the downstream task of
// that output channel, start_task from its job, trigger_checkpoint and
// notify_checkpoint_complete from its job's coordinator, poll, tick and fail from itself. A
// TaskManager takes leader announcements, registration retries and link polls from itself only
// (leader retrieval sends in its name; the announcement's type cannot be decoded from the
// network at all).
//
// (The TaskManager's own case is not tested here yet: a stranger's remote_actor to a
// TaskManager published in a third actor system failed in the first try.)
//
// A peer in another actor system, connected over loopback, gets the handles (the test
// publishes them) and sends each message, correctly fenced with the leader session, job id and
// attempt where it has them: each is dropped with a warning, and the job ends exactly once,
// FINISHED in its first attempt with the output of a run without strangers.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "actors/embedded_cluster.hpp"
#include "actors/errors.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/task.hpp"
#include "actors/task_manager.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/data_messages.hpp"
#include "messages/internal_messages.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

/// The log lines of the test, for the warnings of what was dropped.
class captured_log {
 public:
  captured_log() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(20000)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~captured_log() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  bool contains(const std::string& text) const {
    for (auto& line : sink_->last_formatted())
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

using register_atom = caf::atom_constant<caf::atom("register")>;

struct deployed {
  std::mutex mtx;
  std::map<std::string, task_actor> tasks;  ///< "vertex#subtask" of attempt 0
  std::string session;
};

/// A TaskManager stand-in that runs real tasks and remembers their handles.
caf::behavior recording_task_manager(caf::event_based_actor* self, job_manager_actor job_manager,
                                     std::shared_ptr<deployed> seen) {
  return {
    [=](register_atom, const std::string& session) {
      return self->delegate(job_manager,
                            register_task_manager{session, "stand-in",
                                                  caf::actor_cast<task_manager_actor>(self), 8,
                                                  "", 0});
    },
    [=](const deploy_task& msg) -> task_actor {
      auto task = spawn_task(self->system(), msg.leader_session, msg.deployment);
      std::lock_guard<std::mutex> guard{seen->mtx};
      seen->session = msg.leader_session;
      if (msg.deployment.attempt == 0)
        seen->tasks[msg.deployment.vertex + "#" + std::to_string(msg.deployment.subtask)] = task;
      return task;
    },
    [=](const cancel_tasks&) {},
  };
}

/// A stranger that knows even the local-only leader announcement type by its name.
struct stranger_config : runtime_config {
  stranger_config() : runtime_config(true) {
    add_message_type<leader_announcement>("fjord.leader_announcement");
  }
};

struct senders_fixture {
  captured_log log;
  runtime_config server_cfg{true};
  caf::actor_system server{server_cfg};
  stranger_config stranger_cfg;
  caf::actor_system stranger{stranger_cfg};
  temp_dir dir;

  /// `handle` of the server as the stranger sees it (published on a fresh loopback port).
  template <class Handle>
  caf::actor reach(const Handle& handle) {
    auto port = server.middleman().publish(handle, 0, "127.0.0.1", true);
    REQUIRE(port);
    // Typed: CAF refuses an untyped handle to a typed actor.
    auto remote = stranger.middleman().remote_actor<Handle>("127.0.0.1", *port);
    REQUIRE(remote);
    return caf::actor_cast<caf::actor>(*remote);
  }
};

}  // namespace

TEST_CASE_FIXTURE(senders_fixture,
                  "records, barriers, credits, checkpoint control, start and self-messages sent "
                  "to tasks by a stranger are dropped; the job ends once, exactly once") {
  embedded_cluster_options o;
  o.task_managers = 0;
  embedded_cluster cluster{server, o};
  job_client client{server, cluster.endpoint()};
  REQUIRE(client.connect());
  auto seen = std::make_shared<deployed>();
  auto tm = server.spawn(recording_task_manager, cluster.job_manager(), seen);
  {
    caf::scoped_actor self{server};
    bool registered = false;
    self->request(tm, 5s, register_atom::value, client.session())
      .receive([&](const task_manager_registered&) { registered = true; }, [](caf::error&) {});
    REQUIRE(registered);
  }
  // 3 sources x 5,000 records/s: about 3 s of input, checkpoints every 50 ms.
  constexpr std::int64_t records = 45000;
  auto job = client.submit(sum_job(dir.str(), records, 5000, 50));
  REQUIRE(job);
  REQUIRE(eventually([&] {
    auto r = client.status(*job);
    return r && r->state == job_state::running && r->checkpoints_completed >= 1;
  }));
  std::map<std::string, task_actor> tasks;
  std::string session;
  {
    std::lock_guard<std::mutex> guard{seen->mtx};
    tasks = seen->tasks;
    session = seen->session;
  }
  REQUIRE(tasks.size() == 7);
  auto source = reach(tasks.at("numbers#0"));
  auto middle = reach(tasks.at("sums#0"));  // inputs from numbers, outputs to out
  auto sink = reach(tasks.at("out#0"));
  auto started = client.status(*job);
  REQUIRE(started);
  auto latest = started->checkpoints_completed;

  caf::scoped_actor stranger_self{stranger};
  auto forge = [&](const caf::actor& to, auto&&... xs) {
    stranger_self->send(to, std::forward<decltype(xs)>(xs)...);
  };
  // Records that would break the sums, on every channel and one that does not exist (which
  // used to fail the task).
  for (std::int32_t channel = 0; channel < 3; ++channel)
    forge(middle, data_batch{channel, {record::of(std::int64_t{1'000'000'007})}});
  forge(middle, data_batch{77, {record::of(std::int64_t{1})}});
  // A final barrier on every input would end the stream early.
  for (std::int32_t channel = 0; channel < 3; ++channel)
    forge(middle, barrier{channel, 1'000'000, 0, true});
  forge(middle, credit{0, 1'000'000});
  forge(middle, start_task{session, *job, 0, {}, {}});
  // A final checkpoint triggered at a source would end its input; a final commit at the sink
  // would close it before its input ended.
  forge(source, trigger_checkpoint{session, *job, 0, 1'000'000, 0, true});
  forge(sink, notify_checkpoint_complete{session, *job, 0, latest, true});
  forge(middle, poll_atom::value);
  forge(middle, tick_atom::value);
  forge(source, fail_atom::value, std::string{"forged by a stranger"});

  CHECK(eventually([&] {
    return log.contains("dropped 1 fail message(s)")
           && log.contains("notify_checkpoint_complete message(s)")
           && log.contains("trigger_checkpoint message(s)")
           && log.contains("start_task message(s)") && log.contains("credit message(s)")
           && log.contains("barrier message(s)") && log.contains("data_batch message(s)")
           && log.contains("poll message(s)") && log.contains("tick message(s)");
  }, 10s));
  CHECK(log.contains("not the actor wired to send them"));

  auto report = client.wait_until_done(*job, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
  CHECK(report->attempt == 0);
  CHECK(report->restarts == 0);
  CHECK(report->failure.empty());
  auto verdict = verify_sum(dir.str(), records);
  INFO(verdict.verdict);
  CHECK(verdict.passed);
  caf::anon_send_exit(tm, caf::exit_reason::user_shutdown);
}
