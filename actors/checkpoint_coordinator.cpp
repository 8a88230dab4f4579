#include "actors/checkpoint_coordinator.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/detail/pending_checkpoint.hpp"
#include "actors/internal_messages.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/checkpoint_messages.hpp"

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
  checkpoint_settings settings;
  caf::actor job;
  caf::actor worker;

  std::int32_t attempt = -1;
  bool active = false;
  bool shutting_down = false;
  std::vector<caf::actor> sources;
  std::vector<std::pair<subtask_key, caf::actor>> tasks;
  std::set<subtask_key> task_keys;

  std::map<std::int64_t, pending_checkpoint> pending;
  std::map<std::int64_t, steady::time_point> started;
  bool id_request_in_flight = false;
  bool final_requested = false;
  bool final_triggered = false;
  bool tick_scheduled = false;
  std::optional<steady::time_point> last_completed;

  static inline const char* name = "fjord.checkpoint_coordinator";
};

using coordinator_actor = caf::stateful_actor<coordinator_state>;

void schedule_tick(coordinator_actor* self) {
  auto& st = self->state;
  if (st.tick_scheduled || st.settings.interval_ms <= 0 || !st.active)
    return;
  st.tick_scheduled = true;
  self->delayed_send(self, std::chrono::milliseconds{st.settings.interval_ms}, tick_atom::value);
}

void report_failure(coordinator_actor* self, std::int64_t id, bool is_final,
                    const std::string& reason) {
  auto& st = self->state;
  self->send(st.job, checkpoint_failed_event{st.attempt, id, reason, is_final});
}

void maybe_trigger(coordinator_actor* self, bool periodic);

void trigger(coordinator_actor* self, bool is_final) {
  auto& st = self->state;
  st.id_request_in_flight = true;
  auto attempt = st.attempt;
  self->request(st.worker, store_timeout, next_id_atom::value)
    .then(
      [=](std::int64_t id) {
        auto& st = self->state;
        st.id_request_in_flight = false;
        if (!st.active || st.attempt != attempt || st.shutting_down)
          return;
        if (is_final && st.final_triggered)
          return;
        auto timestamp = wall_ms();
        st.pending.emplace(id, pending_checkpoint{id, timestamp, is_final, st.task_keys});
        st.started[id] = steady::now();
        if (is_final)
          st.final_triggered = true;
        spdlog::debug("job {}: triggering {}checkpoint {}", short_id(st.job_id),
                      is_final ? "final " : "", id);
        for (auto& source : st.sources)
          self->send(source,
                     trigger_checkpoint{st.session, st.job_id, attempt, id, timestamp, is_final});
        self->delayed_send(self, std::chrono::milliseconds{st.settings.timeout_ms},
                           expire_atom::value, attempt, id);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        st.id_request_in_flight = false;
        if (!st.active || st.attempt != attempt)
          return;
        spdlog::error("job {}: no checkpoint id: {}", short_id(st.job_id), describe(e));
        report_failure(self, 0, is_final, "no checkpoint id: " + describe(e));
      });
}

void maybe_trigger(coordinator_actor* self, bool periodic) {
  auto& st = self->state;
  if (!st.active || st.shutting_down || st.id_request_in_flight)
    return;
  if (st.final_requested && !st.final_triggered) {
    // The final checkpoint is the last one: wait until nothing else is pending.
    if (st.pending.empty())
      trigger(self, true);
    return;
  }
  if (!periodic || st.final_triggered)
    return;
  if (st.pending.size() >= static_cast<std::size_t>(std::max(1, st.settings.max_concurrent)))
    return;
  if (st.last_completed
      && steady::now() - *st.last_completed < std::chrono::milliseconds{st.settings.min_pause_ms})
    return;
  trigger(self, false);
}

void discard_pending(coordinator_actor* self, std::int64_t id, const std::string& reason) {
  auto& st = self->state;
  auto i = st.pending.find(id);
  if (i == st.pending.end())
    return;
  bool is_final = i->second.is_final();
  st.pending.erase(i);
  st.started.erase(id);
  if (is_final)
    st.final_triggered = false;
  report_failure(self, id, is_final, reason);
}

void complete(coordinator_actor* self, pending_checkpoint&& done) {
  auto& st = self->state;
  auto id = done.checkpoint_id();
  auto tasks = done.expected();
  auto began = st.started[id];
  st.started.erase(id);
  auto checkpoint = std::move(done).finalize(st.job_id, wall_ms());
  auto is_final = checkpoint.is_final;
  auto attempt = st.attempt;
  self->request(st.worker, store_timeout, add_atom::value, std::move(checkpoint))
    .then(
      [=](bool) {
        auto& st = self->state;
        auto duration_us =
          std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - began).count();
        auto duration = duration_us / 1000;
        st.last_completed = steady::now();
        spdlog::info("job {}: {}checkpoint {} completed in {} ms ({} tasks)",
                     short_id(st.job_id), is_final ? "final " : "", id, duration, tasks);
        // Older pending checkpoints are subsumed by this one.
        for (auto i = st.pending.begin(); i != st.pending.end();) {
          if (i->first < id) {
            st.started.erase(i->first);
            i = st.pending.erase(i);
          } else {
            ++i;
          }
        }
        self->send(st.job, checkpoint_completed_event{attempt, id, duration_us, is_final});
        if (st.active && st.attempt == attempt)
          for (auto& [key, task] : st.tasks)
            self->send(task, notify_checkpoint_complete{st.session, st.job_id, attempt, id,
                                                        is_final});
        maybe_trigger(self, false);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        spdlog::error("job {}: checkpoint {} could not be stored: {}", short_id(st.job_id), id,
                      describe(e));
        self->send(st.job, checkpoint_failed_event{attempt, id, "store failed: " + describe(e),
                                                   is_final});
        maybe_trigger(self, false);
      });
}

caf::behavior coordinator(coordinator_actor* self, std::string session, std::string job_id,
                          checkpoint_settings settings, caf::actor job, caf::actor worker) {
  auto& st = self->state;
  st.session = std::move(session);
  st.job_id = std::move(job_id);
  st.settings = settings;
  st.job = std::move(job);
  st.worker = std::move(worker);
  self->attach_functor([worker = st.worker](const caf::error&) {
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  });
  return {
    [=](const attempt_running& msg) {
      auto& st = self->state;
      st.attempt = msg.attempt;
      st.active = true;
      st.sources = msg.sources;
      st.tasks = msg.tasks;
      st.task_keys.clear();
      for (auto& [key, task] : st.tasks)
        st.task_keys.insert(key);
      st.pending.clear();
      st.started.clear();
      st.final_requested = false;
      st.final_triggered = false;
      schedule_tick(self);
    },
    [=](const attempt_stopped& msg) {
      auto& st = self->state;
      if (msg.attempt != st.attempt)
        return;
      st.active = false;
      if (!st.pending.empty())
        spdlog::debug("job {}: {} pending checkpoint(s) of attempt {} aborted",
                      short_id(st.job_id), st.pending.size(), msg.attempt);
      st.pending.clear();
      st.started.clear();
    },
    [=](const sources_exhausted& msg) {
      auto& st = self->state;
      if (msg.attempt != st.attempt || !st.active)
        return;
      st.final_requested = true;
      maybe_trigger(self, false);
    },
    [=](const restore_latest&) -> caf::result<std::vector<completed_checkpoint>> {
      auto rp = self->make_response_promise<std::vector<completed_checkpoint>>();
      self->request(self->state.worker, store_timeout, latest_atom::value)
        .then([=](std::vector<completed_checkpoint>& latest) mutable { rp.deliver(latest); },
              [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.tick_scheduled = false;
      maybe_trigger(self, true);
      schedule_tick(self);
    },
    [=](const acknowledge_checkpoint& ack) {
      auto& st = self->state;
      if (ack.leader_session != st.session || ack.job_id != st.job_id
          || ack.attempt != st.attempt || !st.active) {
        spdlog::debug("job {}: dropped acknowledgement of checkpoint {} from attempt {} "
                      "(current attempt {})",
                      short_id(st.job_id), ack.checkpoint_id, ack.attempt, st.attempt);
        return;
      }
      auto i = st.pending.find(ack.checkpoint_id);
      if (i == st.pending.end())
        return;  // discarded already (timeout, decline, subsumed)
      auto result = i->second.acknowledge(ack.state);
      if (result != pending_checkpoint::ack_result::accepted) {
        spdlog::debug("job {}: ignored acknowledgement of checkpoint {} by {}#{}",
                      short_id(st.job_id), ack.checkpoint_id, ack.state.vertex,
                      ack.state.subtask);
        return;
      }
      if (i->second.complete()) {
        auto done = std::move(i->second);
        st.pending.erase(i);
        complete(self, std::move(done));
      }
    },
    [=](const decline_checkpoint& msg) {
      auto& st = self->state;
      if (msg.leader_session != st.session || msg.job_id != st.job_id
          || msg.attempt != st.attempt || !st.active)
        return;
      if (st.pending.count(msg.checkpoint_id) == 0)
        return;
      spdlog::warn("job {}: checkpoint {} declined by {}#{}: {}", short_id(st.job_id),
                   msg.checkpoint_id, msg.vertex, msg.subtask, msg.reason);
      discard_pending(self, msg.checkpoint_id,
                      "declined by " + msg.vertex + "#" + std::to_string(msg.subtask) + ": "
                        + msg.reason);
      maybe_trigger(self, false);
    },
    [=](expire_atom, std::int32_t attempt, std::int64_t id) {
      auto& st = self->state;
      if (attempt != st.attempt)
        return;
      auto i = st.pending.find(id);
      if (i == st.pending.end())
        return;
      std::string missing;
      for (auto& key : i->second.waiting()) {
        if (!missing.empty())
          missing += ", ";
        missing += to_string(key);
      }
      spdlog::warn("job {}: checkpoint {} expired after {} ms, still waiting for {}",
                   short_id(st.job_id), id, st.settings.timeout_ms, missing);
      discard_pending(self, id, "expired after " + std::to_string(st.settings.timeout_ms)
                                  + " ms");
      maybe_trigger(self, false);
    },
    [=](const shutdown_coordinator& msg) -> caf::result<bool> {
      auto& st = self->state;
      st.active = false;
      st.shutting_down = true;
      st.pending.clear();
      auto rp = self->make_response_promise<bool>();
      self->request(st.worker, store_timeout, shutdown_atom::value, msg.final_state)
        .then(
          [=](bool) mutable {
            rp.deliver(true);
            self->quit();
          },
          [=](caf::error& e) mutable {
            spdlog::error("job {}: checkpoint stores did not shut down cleanly: {}",
                          short_id(self->state.job_id), describe(e));
            rp.deliver(false);
            self->quit();
          });
      return rp;
    },
  };
}

}  // namespace

caf::actor spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session,
                                        std::string job_id, checkpoint_settings settings,
                                        caf::actor job,
                                        std::shared_ptr<checkpoint_recovery_factory> factory) {
  auto worker = spawn_checkpoint_store_worker(sys, std::move(factory), job_id,
                                              std::max(1, settings.num_retained));
  return spawn_checkpoint_coordinator(sys, std::move(leader_session), std::move(job_id), settings,
                                      std::move(job), std::move(worker));
}

caf::actor spawn_checkpoint_coordinator(caf::actor_system& sys, std::string leader_session,
                                        std::string job_id, checkpoint_settings settings,
                                        caf::actor job, caf::actor store_worker) {
  return sys.spawn(coordinator, std::move(leader_session), std::move(job_id), settings,
                   std::move(job), std::move(store_worker));
}

}  // namespace fjord
