#include "actors/checkpoint_coordinator.hpp"

#include "common/failpoints.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/detail/checkpoint_scheduler.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/internal_messages.hpp"

namespace fjord {

namespace {

using steady = std::chrono::steady_clock;

/// Store calls may legitimately take long (a ZooKeeper failover); they still must end.
constexpr auto store_timeout = std::chrono::seconds(120);

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct coordinator_state {
  std::string session;
  std::string job_id;
  checkpoint_listener_actor job;
  checkpoint_store_worker_actor worker;
  std::optional<checkpoint_scheduler> scheduler;
  std::vector<task_actor> sources;
  std::vector<std::pair<subtask_key, task_actor>> tasks;

  std::string id() const { return short_id(job_id); }

  static inline const char* name = "fjord.checkpoint_coordinator";
};

using coordinator_actor = checkpoint_coordinator_actor::stateful_base<coordinator_state>;

void schedule_tick(coordinator_actor* self) {
  auto& sched = *self->state.scheduler;
  if (sched.arm_tick())
    self->delayed_send(self, std::chrono::milliseconds{sched.settings().interval_ms},
                       tick_atom::value);
}

void report_failure(coordinator_actor* self, std::int64_t id, bool is_final,
                    const std::string& reason) {
  auto& st = self->state;
  self->send(st.job, checkpoint_failed_event{st.scheduler->attempt(), id, reason, is_final});
}

/// Asks the scheduler whether to trigger now and, if so, fetches the id and triggers.
void maybe_trigger(coordinator_actor* self, bool periodic_tick) {
  auto& st = self->state;
  auto kind = st.scheduler->next_trigger(steady::now(), periodic_tick);
  if (kind == checkpoint_scheduler::trigger_kind::none)
    return;
  bool is_final = kind == checkpoint_scheduler::trigger_kind::final_checkpoint;
  auto attempt = st.scheduler->attempt();
  self->request(st.worker, store_timeout, next_id_atom::value)
    .then(
      [=](std::int64_t id) {
        auto& st = self->state;
        auto timestamp = wall_ms();
        if (!st.scheduler->on_id(attempt, id, is_final, timestamp, steady::now()))
          return;
        spdlog::debug("job {}: triggering {}checkpoint {}", st.id(), is_final ? "final " : "",
                      id);
        for (auto& source : st.sources)
          self->send(source,
                     trigger_checkpoint{st.session, st.job_id, attempt, id, timestamp, is_final});
        self->delayed_send(self, std::chrono::milliseconds{st.scheduler->settings().timeout_ms},
                           expire_atom::value, attempt, id);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (!st.scheduler->on_id_failed(attempt))
          return;
        spdlog::error("job {}: no checkpoint id: {}", st.id(), describe(e));
        report_failure(self, 0, is_final, "no checkpoint id: " + describe(e));
      });
}

/// Gives up pending checkpoint `id` (declined or expired), tells the job and triggers what may
/// come next; returns what was given up (nullopt if it was not pending).
std::optional<checkpoint_scheduler::discarded>
discard_pending(coordinator_actor* self, std::int32_t attempt, std::int64_t id,
                const std::string& reason) {
  auto d = self->state.scheduler->discard(attempt, id);
  if (d) {
    report_failure(self, id, d->is_final, reason);
    maybe_trigger(self, false);  // the id request it may start is answered later
  }
  return d;
}

/// Every task acknowledged: store the checkpoint, then notify the tasks.
void complete(coordinator_actor* self, checkpoint_scheduler::pending_entry done) {
  auto& st = self->state;
  auto id = done.checkpoint.checkpoint_id();
  auto tasks = done.checkpoint.expected();
  auto began = done.started;
  auto checkpoint = std::move(done.checkpoint).finalize(st.job_id, wall_ms());
  auto is_final = checkpoint.is_final;
  auto attempt = st.scheduler->attempt();
  self->request(st.worker, store_timeout, add_atom::value, std::move(checkpoint))
    .then(
      [=](bool) {
        auto& st = self->state;
        auto now = steady::now();
        auto duration_us =
          std::chrono::duration_cast<std::chrono::microseconds>(now - began).count();
        spdlog::info("job {}: {}checkpoint {} completed in {} ms ({} tasks)", st.id(),
                     is_final ? "final " : "", id, duration_us / 1000, tasks);
        st.scheduler->stored(id, now);
        self->send(st.job, checkpoint_completed_event{attempt, id, duration_us, is_final});
        if (st.scheduler->running() && st.scheduler->attempt() == attempt) {
          for (auto& [key, task] : st.tasks)
            self->send(task, notify_checkpoint_complete{st.session, st.job_id, attempt, id,
                                                        is_final});
          failpoint::hit("checkpoint.notify.sent");
        }
        maybe_trigger(self, false);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        spdlog::error("job {}: checkpoint {} could not be stored: {}", st.id(), id, describe(e));
        self->send(st.job, checkpoint_failed_event{attempt, id, "store failed: " + describe(e),
                                                   is_final});
        maybe_trigger(self, false);
      });
}

bool fenced_ok(const coordinator_state& st, const std::string& session,
               const std::string& job_id) {
  return session == st.session && job_id == st.job_id;
}

checkpoint_coordinator_actor::behavior_type
coordinator(coordinator_actor* self, std::string session, std::string job_id,
            checkpoint_settings settings, checkpoint_listener_actor job,
            checkpoint_store_worker_actor worker) {
  auto& st = self->state;
  st.session = std::move(session);
  st.job_id = std::move(job_id);
  st.scheduler.emplace(settings);
  st.job = std::move(job);
  st.worker = std::move(worker);
  self->attach_functor([worker = st.worker](const caf::error&) {
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  });
  return {
    [=](const attempt_running& msg) {
      auto& st = self->state;
      st.sources = msg.sources;
      st.tasks = msg.tasks;
      std::set<subtask_key> keys;
      for (auto& [key, task] : st.tasks)
        keys.insert(key);
      st.scheduler->start_attempt(msg.attempt, std::move(keys));
      schedule_tick(self);
    },
    [=](const attempt_stopped& msg) {
      auto& st = self->state;
      if (auto aborted = st.scheduler->stop_attempt(msg.attempt))
        spdlog::debug("job {}: {} pending checkpoint(s) of attempt {} aborted", st.id(), aborted,
                      msg.attempt);
      return true;
    },
    [=](const sources_exhausted& msg) {
      if (self->state.scheduler->request_final(msg.attempt))
        maybe_trigger(self, false);
    },
    [=](tick_atom) {
      self->state.scheduler->tick_fired();
      maybe_trigger(self, true);
      schedule_tick(self);
    },
    [=](acknowledge_checkpoint& ack) {
      auto& st = self->state;
      using outcome = checkpoint_scheduler::ack_outcome;
      auto result = fenced_ok(st, ack.leader_session, ack.job_id)
                      ? st.scheduler->acknowledge(ack.attempt, ack.checkpoint_id,
                                                  std::move(ack.state))
                      : checkpoint_scheduler::ack_result{};
      switch (result.outcome) {
        case outcome::stale:
          spdlog::debug("job {}: dropped acknowledgement of checkpoint {} from attempt {} "
                        "(current attempt {})",
                        st.id(), ack.checkpoint_id, ack.attempt, st.scheduler->attempt());
          break;
        case outcome::ignored:
          spdlog::debug("job {}: ignored acknowledgement of checkpoint {} by {}#{}", st.id(),
                        ack.checkpoint_id, ack.state.vertex, ack.state.subtask);
          break;
        case outcome::complete:
          complete(self, std::move(*result.completed));
          break;
        case outcome::not_pending:  // discarded already (timeout, decline, subsumed)
        case outcome::accepted:
          break;
      }
    },
    [=](const decline_checkpoint& msg) {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session, msg.job_id)
          || msg.attempt != st.scheduler->attempt() || !st.scheduler->is_pending(msg.checkpoint_id))
        return;
      spdlog::warn("job {}: checkpoint {} declined by {}#{}: {}", st.id(), msg.checkpoint_id,
                   msg.vertex, msg.subtask, msg.reason);
      discard_pending(self, msg.attempt, msg.checkpoint_id,
                      "declined by " + msg.vertex + "#" + std::to_string(msg.subtask) + ": "
                        + msg.reason);
    },
    [=](expire_atom, std::int32_t attempt, std::int64_t id) {
      auto& st = self->state;
      if (attempt != st.scheduler->attempt() || !st.scheduler->is_pending(id))
        return;
      auto timeout = std::to_string(st.scheduler->settings().timeout_ms);
      if (auto d = discard_pending(self, attempt, id, "expired after " + timeout + " ms")) {
        std::string missing;
        for (auto& key : d->waiting) {
          if (!missing.empty())
            missing += ", ";
          missing += to_string(key);
        }
        spdlog::warn("job {}: checkpoint {} expired after {} ms, still waiting for {}", st.id(),
                     id, timeout, missing);
      }
    },
    [=](const shutdown_coordinator& msg) -> caf::result<bool> {
      auto& st = self->state;
      st.scheduler->shut_down();
      auto rp = self->make_response_promise<bool>();
      self->request(st.worker, store_timeout, shutdown_atom::value, msg.final_state)
        .then(
          [=](bool) mutable {
            rp.deliver(true);
            self->quit();
          },
          [=](caf::error& e) mutable {
            spdlog::error("job {}: checkpoint stores did not shut down cleanly: {}",
                          self->state.id(), describe(e));
            rp.deliver(false);
            self->quit();
          });
      return rp;
    },
  };
}

}  // namespace

checkpoint_coordinator_actor
spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session, std::string job_id,
                             checkpoint_settings settings, checkpoint_listener_actor job,
                             checkpoint_store_worker_actor store_worker) {
  return sys.spawn(coordinator, std::move(leader_session), std::move(job_id), settings,
                   std::move(job), std::move(store_worker));
}

}  // namespace fjord
