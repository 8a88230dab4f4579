#include "actors/job.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/checkpoint_coordinator.hpp"
#include "actors/detail/job_lifecycle.hpp"
#include "actors/detail/retry_backoff.hpp"
#include "actors/detail/wiring_plan.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/client_messages.hpp"
#include "messages/internal_messages.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

using steady = std::chrono::steady_clock;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// What the job keeps of a task of the current attempt besides its state (which is the
/// lifecycle's): the handle to wire and kill it, and its counts for the report.
struct task_info {
  task_actor handle;
  std::int64_t records_in = 0;
  std::int64_t records_out = 0;
  bool is_source = false;  ///< of a source vertex: its records_out counts as the job's input
  bool is_sink = false;    ///< of a sink vertex: its records_in counts as the job's output
};

struct job_actor_state {
  job_supervisor_actor job_manager;
  std::string session;
  job_graph graph;
  std::shared_ptr<checkpoint_recovery_factory> factory;
  job_options options;
  checkpoint_coordinator_actor coordinator;
  /// The job's completed-checkpoint store and id counter (detached). The coordinator writes to
  /// it; the job reads the checkpoint to restore from it; the coordinator shuts it down.
  checkpoint_store_worker_actor checkpoint_store;
  /// attempt_stopped requests the coordinator has not answered yet; while there are any, the
  /// next attempt does not read its restore (see attempt_stopped in internal_messages.hpp).
  int unconfirmed_stops = 0;
  /// The attempt whose restore read waits for the coordinator's answers (-1: none).
  std::int32_t restore_waiting = -1;
  std::map<subtask_key, planned_subtask> plan;
  std::set<std::string> source_vertices;
  std::set<std::string> sink_vertices;
  /// Attempts, restarts, task states, zombies: every handler below asks it what a message means.
  std::optional<job_lifecycle> lifecycle;
  std::map<subtask_key, task_info> tasks;
  /// Every task actor not down yet, of the current attempt or a zombie, by the lifecycle's ref.
  std::map<caf::actor_addr, job_lifecycle::task_ref> task_refs;
  std::optional<completed_checkpoint> restore_from;
  steady::time_point slot_wait_started;
  steady::time_point started_at = steady::now();

  // Report fields kept across attempts.
  std::int64_t checkpoints_completed = 0;
  std::int64_t checkpoints_failed = 0;
  std::int64_t latest_checkpoint_id = 0;
  std::int64_t restored_checkpoint_id = 0;
  std::deque<std::int64_t> checkpoint_durations_us;
  std::string failure;
  std::int64_t started_ms = wall_ms();
  std::int64_t ended_ms = 0;
  std::int64_t final_records_in = 0;   ///< of the last attempt, kept after its tasks are gone
  std::int64_t final_records_out = 0;

  std::string id() const { return short_id(graph.job_id); }

  static inline const char* name = "fjord.job";
};

/// The job itself, as its handlers see it.
using job_self = job_actor::stateful_base<job_actor_state>;

job_status_report make_report(const job_actor_state& st) {
  auto& lifecycle = *st.lifecycle;
  job_status_report r;
  r.job_id = st.graph.job_id;
  r.name = st.graph.name;
  r.state = lifecycle.state();
  r.attempt = lifecycle.attempt();
  r.restarts = lifecycle.restarts();
  r.checkpoints_completed = st.checkpoints_completed;
  r.checkpoints_failed = st.checkpoints_failed;
  r.latest_checkpoint_id = st.latest_checkpoint_id;
  r.restored_checkpoint_id = st.restored_checkpoint_id;
  r.tasks_total = st.graph.total_subtasks();
  r.tasks_running = lifecycle.running_tasks();
  for (auto& [key, task] : st.tasks) {
    if (task.is_source)
      r.records_in += task.records_out;
    if (task.is_sink)
      r.records_out += task.records_in;
  }
  if (lifecycle.terminating()) {
    r.records_in = st.final_records_in;
    r.records_out = st.final_records_out;
  }
  r.checkpoint_durations_us.assign(st.checkpoint_durations_us.begin(),
                                   st.checkpoint_durations_us.end());
  r.failure = st.failure;
  r.started_ms = st.started_ms;
  r.ended_ms = st.ended_ms;
  return r;
}

void publish(job_self* self) {
  self->send(self->state.job_manager, make_report(self->state));
}

void read_restore(job_self* self, std::int32_t attempt, std::int32_t failures = 0);

/// The coordinator answered an attempt_stopped: once every one is answered, a restore read that
/// waited for them goes ahead.
void stop_confirmed(job_self* self) {
  auto& st = self->state;
  if (--st.unconfirmed_stops > 0 || st.restore_waiting < 0)
    return;
  auto attempt = st.restore_waiting;
  st.restore_waiting = -1;
  if (st.lifecycle->is_current(attempt))
    read_restore(self, attempt);
}

/// Kills every task of `attempt`, which the lifecycle stopped: they are zombies until their
/// down message. The coordinator aborts the attempt's pending checkpoints.
void stop_tasks(job_self* self, std::int32_t attempt) {
  auto& st = self->state;
  for (auto& [key, task] : st.tasks)
    if (task.handle)
      self->send_exit(task.handle, caf::exit_reason::kill);
  st.tasks.clear();
  ++st.unconfirmed_stops;
  self->request(st.coordinator, std::chrono::seconds(150), attempt_stopped{attempt})
    .then([=](bool) { stop_confirmed(self); },
          [=](caf::error& e) {
            spdlog::warn("job {}: the coordinator did not confirm the end of attempt {}: {}",
                         self->state.id(), attempt, describe(e));
            stop_confirmed(self);
          });
}

/// Ends the job on this JobManager: globally terminal states delete the job's checkpoints and
/// counter; `suspended` keeps everything for the next leader.
void terminate(job_self* self, job_state final_state) {
  auto& st = self->state;
  if (st.lifecycle->terminating())
    return;
  auto last = make_report(st);
  st.final_records_in = last.records_in;
  st.final_records_out = last.records_out;
  auto attempt = st.lifecycle->attempt();
  st.lifecycle->terminate(final_state);
  stop_tasks(self, attempt);
  st.ended_ms = wall_ms();
  publish(self);  // the final state
  self->request(st.coordinator, std::chrono::seconds(150), shutdown_coordinator{final_state})
    .then([=](bool) { self->send(self->state.job_manager, job_terminated{make_report(self->state)});
                      self->quit(); },
          [=](caf::error& e) {
            spdlog::error("job {}: checkpoint coordinator did not shut down: {}",
                          self->state.id(), describe(e));
            self->send(self->state.job_manager, job_terminated{make_report(self->state)});
            self->quit();
          });
}

void on_failure(job_self* self, const std::string& cause) {
  auto& st = self->state;
  auto& lifecycle = *st.lifecycle;
  auto state_before = lifecycle.state();
  auto decision = lifecycle.on_failure();
  switch (decision.outcome) {
    case job_lifecycle::failure_outcome::ignored:
      spdlog::debug("job {}: {} (not counted: {})", st.id(), cause,
                    to_string(lifecycle.current_phase()));
      return;
    case job_lifecycle::failure_outcome::no_restarts_left:
      st.failure = cause;
      spdlog::error("job {} failed: {} (no restarts left)", st.id(), cause);
      terminate(self, job_state::failed);
      return;
    case job_lifecycle::failure_outcome::restart:
      st.failure = cause;
      spdlog::warn("job {}: {}; restarting from the latest checkpoint in {} ms (restart {} of {})",
                   st.id(), cause, decision.delay.count(), lifecycle.restarts(),
                   lifecycle.restart_strategy().max_attempts);
      stop_tasks(self, decision.stopped_attempt);
      if (lifecycle.state() != state_before)
        publish(self);  // restarting (a failure while the next attempt deploys changes nothing)
      self->delayed_send(self, decision.delay, restart_atom::value, lifecycle.attempt());
      return;
  }
}

/// Sends every task its channels: all of them are deployed, so every handle is known.
void wire(job_self* self, std::int32_t attempt) {
  auto& st = self->state;
  for (auto& [k, planned] : st.plan) {
    start_task msg;
    msg.leader_session = st.session;
    msg.job_id = st.graph.job_id;
    msg.attempt = attempt;
    for (auto& gate : planned.outputs) {
      output_gate g;
      g.part = gate.edge->part;
      g.target_vertex = gate.edge->to;
      auto* target = st.graph.find_vertex(gate.edge->to);
      g.target_op = target->op;
      g.target_params_json = target->params_json;
      for (auto& [receiver, channel] : gate.channels)
        g.channels.push_back(output_channel{st.tasks[receiver].handle, channel});
      msg.outputs.push_back(std::move(g));
    }
    for (auto& in : planned.inputs)
      msg.inputs.push_back(input_channel{st.tasks[in.sender].handle, in.sender_channel});
    self->send(st.tasks[k].handle, std::move(msg));
  }
}

void deploy_all(job_self* self, std::vector<slot_assignment> slots) {
  auto& st = self->state;
  auto attempt = st.lifecycle->attempt();
  st.tasks.clear();
  for (auto& vertex : st.graph.vertices) {
    for (std::int32_t i = 0; i < vertex.parallelism; ++i) {
      subtask_key key{vertex.id, i};
      auto& planned = st.plan.at(key);
      task_deployment d;
      d.job_id = st.graph.job_id;
      d.attempt = attempt;
      d.vertex = vertex.id;
      d.op = vertex.op;
      d.params_json = vertex.params_json;
      d.subtask = i;
      d.parallelism = vertex.parallelism;
      d.num_input_channels = static_cast<std::int32_t>(planned.inputs.size());
      d.job = caf::actor_cast<task_report_actor>(self);
      d.coordinator = st.coordinator;
      for (auto& plugin : st.graph.plugins)
        d.plugins.push_back(plugin.sha256);
      if (st.restore_from) {
        d.restored_checkpoint_id = st.restore_from->checkpoint_id;
        if (auto* state = st.restore_from->find(vertex.id, i)) {
          d.has_state = true;
          d.state = state->bytes;
        }
      }
      auto& info = st.tasks[key];
      info.is_source = st.source_vertices.count(vertex.id) > 0;
      info.is_sink = st.sink_vertices.count(vertex.id) > 0;
      auto& slot = slots[static_cast<std::size_t>(i) % slots.size()];
      self->request(slot.task_manager, std::chrono::milliseconds{st.options.deploy_timeout_ms},
                    deploy_task{st.session, std::move(d)})
        .then(
          [=](task_actor& task) {
            auto& st = self->state;
            auto deployed = st.lifecycle->on_deployed(attempt, key);
            if (deployed.outcome == job_lifecycle::deploy_outcome::stale) {
              // Too late: this attempt is over already.
              self->send_exit(task, caf::exit_reason::kill);
              return;
            }
            self->monitor(task);
            st.tasks[key].handle = task;
            st.task_refs[task.address()] = deployed.ref;
            if (deployed.outcome == job_lifecycle::deploy_outcome::all_there)
              wire(self, attempt);
          },
          [=](caf::error& e) {
            if (!self->state.lifecycle->is_current(attempt))
              return;
            on_failure(self, "deploying " + key.first + "#" + std::to_string(key.second)
                               + " failed: " + describe(e));
          });
    }
  }
}

/// Before an attempt's tasks exist, every TaskManager it uses gets a direct connection to each
/// other one (connect_peers), so that no record between two of them is ever relayed by the
/// JobManager, and no channel switches from a relayed to a direct route mid-stream (CAF picks a
/// route per message; a switch reorders a channel, and barrier alignment needs per-channel
/// order). Then the tasks are deployed. TaskManagers of this process need nothing.
void link_and_deploy(job_self* self, std::int32_t attempt, std::vector<slot_assignment> slots) {
  auto& st = self->state;
  std::map<std::string, data_endpoint> endpoints;
  for (auto& slot : slots)
    if (slot.task_manager && slot.task_manager.node() != self->node() && !slot.data_host.empty())
      endpoints.emplace(slot.task_manager_id, data_endpoint{slot.task_manager,
                                                            slot.task_manager_id, slot.data_host,
                                                            slot.data_port});
  if (endpoints.size() < 2)
    return deploy_all(self, std::move(slots));
  std::vector<data_endpoint> all;
  for (auto& [id, endpoint] : endpoints)
    all.push_back(endpoint);
  auto pending = std::make_shared<std::size_t>(all.size());
  auto failed = std::make_shared<bool>(false);
  auto shared_slots = std::make_shared<std::vector<slot_assignment>>(std::move(slots));
  for (auto& endpoint : all) {
    self->request(endpoint.task_manager,
                  std::chrono::milliseconds{st.options.deploy_timeout_ms},
                  connect_peers{st.session, all})
      .then(
        [=](bool) {
          if (*failed || !self->state.lifecycle->is_current(attempt))
            return;
          if (--*pending == 0)
            deploy_all(self, std::move(*shared_slots));
        },
        [=](caf::error& e) {
          if (*failed || !self->state.lifecycle->is_current(attempt))
            return;
          *failed = true;
          on_failure(self, "linking task manager " + endpoint.task_manager_id
                             + " to its peers failed: " + describe(e));
        });
  }
}

void request_slots_and_deploy(job_self* self) {
  auto& st = self->state;
  auto attempt = st.lifecycle->attempt();
  self->request(st.job_manager, std::chrono::seconds(10),
                request_slots{st.graph.job_id, st.graph.max_parallelism()})
    .then(
      [=](std::vector<slot_assignment>& slots) {
        if (!self->state.lifecycle->on_slots(attempt))
          return;
        link_and_deploy(self, attempt, std::move(slots));
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (!st.lifecycle->is_current(attempt))
          return;
        if (steady::now() - st.slot_wait_started
            > std::chrono::milliseconds{st.options.slot_wait_ms}) {
          on_failure(self, "no slots: " + describe(e));
          return;
        }
        spdlog::debug("job {}: waiting for slots: {}", st.id(), describe(e));
        self->delayed_send(self, std::chrono::milliseconds(200), retry_atom::value, attempt);
      });
}

/// Asks the checkpoint store worker for the latest completed checkpoint, then deploys `attempt`
/// from it (or from scratch if there is none).
void read_restore(job_self* self, std::int32_t attempt, std::int32_t failures) {
  auto& st = self->state;
  self->request(st.checkpoint_store, std::chrono::seconds(150), latest_atom::value)
    .then(
      [=](std::vector<completed_checkpoint>& latest) {
        auto& st = self->state;
        if (!st.lifecycle->on_restored(attempt))
          return;
        st.restore_from.reset();
        if (failures > 0)
          st.failure.clear();  // the restore read works again
        if (!latest.empty()) {
          st.restore_from = std::move(latest.front());
          st.restored_checkpoint_id = st.restore_from->checkpoint_id;
          spdlog::info("job {} restoring from checkpoint {} (attempt {})", st.id(),
                       st.restored_checkpoint_id, attempt);
        } else {
          st.restored_checkpoint_id = 0;
        }
        st.slot_wait_started = steady::now();
        request_slots_and_deploy(self);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (!st.lifecycle->is_current(attempt))
          return;
        if (errc_of(e) == errc::fenced)
          return;  // leadership lost: suspend_job follows
        // Not a failure of the job: its tasks never ran. Starting from scratch or from an
        // older checkpoint could commit output twice, and giving up would fail a job that a
        // repaired disk or store could resume; so the read is retried, and the status says
        // why the job waits (issue 9, defect 3).
        auto delay = detail::retry_backoff(failures);
        st.failure = "cannot restore the latest checkpoint (retrying in "
                     + std::to_string(delay.count()) + " ms): " + describe(e);
        spdlog::error("job {}: {}", st.id(), st.failure);
        publish(self);
        self->delayed_send(self, delay, restore_atom::value, attempt, failures + 1);
      });
}

void start_attempt(job_self* self) {
  auto& st = self->state;
  if (!st.lifecycle->begin_attempt())
    return;
  st.task_refs.clear();  // no live task now; zombies still missing are given up on
  auto attempt = st.lifecycle->attempt();
  if (st.unconfirmed_stops > 0)
    st.restore_waiting = attempt;  // stop_confirmed reads it
  else
    read_restore(self, attempt);
}

/// Waits for the tasks of the previous attempt to be gone before starting the next one, so two
/// attempts of this job manager do not run side by side. The wait is bounded (100 x 50 ms): a
/// task whose down message never comes (its TaskManager unreachable) is given up on, and the
/// next attempt starts anyway; what keeps the two apart then is the attempt number in the
/// sinks' in-progress file names (unique only under one leader: see the failure-windows issue).
void start_when_clear(job_self* self, std::int32_t attempt, int waits) {
  auto& lifecycle = *self->state.lifecycle;
  if (!lifecycle.waiting_to_begin(attempt))
    return;
  if (lifecycle.has_zombies() && waits < 100) {
    self->delayed_send(self, std::chrono::milliseconds(50), restart_atom::value, attempt,
                       waits + 1);
    return;
  }
  start_attempt(self);
}

/// Tells the coordinator, once per attempt, that every source is exhausted — but only once it
/// was told that the attempt runs: a fast source can finish before the last task reports
/// running, and a sources_exhausted that overtook attempt_running would be dropped by the
/// coordinator, so the final checkpoint would never be triggered and the job would hang.
void report_sources_exhausted(job_self* self) {
  auto& st = self->state;
  if (st.lifecycle->take_sources_exhausted())
    self->send(st.coordinator, sources_exhausted{st.lifecycle->attempt()});
}

/// Every task of the attempt runs: the coordinator may checkpoint it.
void report_running(job_self* self) {
  auto& st = self->state;
  attempt_running running;
  running.attempt = st.lifecycle->attempt();
  for (auto& [k, task] : st.tasks) {
    running.tasks.emplace_back(k, task.handle);
    if (task.is_source)
      running.sources.push_back(task.handle);
  }
  self->send(st.coordinator, std::move(running));
  spdlog::info("job {} running (attempt {}{})", st.id(), st.lifecycle->attempt(),
               st.restored_checkpoint_id
                 ? ", restored from checkpoint " + std::to_string(st.restored_checkpoint_id)
                 : std::string{});
  publish(self);  // running
  report_sources_exhausted(self);  // a fast source may have finished already
}

/// Fencing of every task report: this leader session, this job, the current attempt.
bool accepts(const job_actor_state& st, const std::string& session, const std::string& job_id,
             std::int32_t attempt) {
  return session == st.session && job_id == st.graph.job_id && st.lifecycle->is_current(attempt);
}

job_actor::behavior_type job_behavior(job_self* self, job_supervisor_actor job_manager,
                                      std::string session, job_graph graph,
                                      std::shared_ptr<checkpoint_recovery_factory> factory,
                                      job_options options) {
  auto& st = self->state;
  st.job_manager = std::move(job_manager);
  st.session = std::move(session);
  st.graph = std::move(graph);
  st.factory = std::move(factory);
  st.options = options;
  st.plan = plan_wiring(st.graph);
  std::vector<job_lifecycle::subtask> subtasks;
  for (auto& v : st.graph.vertices) {
    bool is_source = st.graph.inputs_of(v.id).empty();
    if (is_source)
      st.source_vertices.insert(v.id);
    if (st.graph.outputs_of(v.id).empty())
      st.sink_vertices.insert(v.id);
    for (std::int32_t i = 0; i < v.parallelism; ++i)
      subtasks.push_back({{v.id, i}, is_source});
  }
  st.lifecycle.emplace(st.graph.restart, std::move(subtasks));
  st.checkpoint_store = spawn_checkpoint_store_worker(
    self->system(), st.factory, st.graph.job_id, std::max(1, st.graph.checkpoints.num_retained),
    st.options.holds_leadership, st.options.fence_node);
  st.coordinator = spawn_checkpoint_coordinator(self->system(), st.session, st.graph.job_id,
                                                st.graph.checkpoints,
                                                caf::actor_cast<checkpoint_listener_actor>(self),
                                                st.checkpoint_store);
  self->link_to(st.coordinator);
  // Killed with its JobManager (process shutdown): stop the tasks, delete nothing.
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [key, task] : self->state.tasks)
      if (task.handle)
        self->send_exit(task.handle, caf::exit_reason::kill);
    self->quit(em.reason);
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto i = st.task_refs.find(dm.source);
    if (i == st.task_refs.end())
      return;
    auto down = st.lifecycle->on_down(i->second);
    st.task_refs.erase(i);
    if (down.kind != job_lifecycle::down_kind::finished_task
        && down.kind != job_lifecycle::down_kind::live_task)
      return;  // a zombie is gone at last
    auto key = down.key;
    if (auto task = st.tasks.find(key); task != st.tasks.end())
      task->second.handle = nullptr;  // dead already: nothing to kill
    if (down.kind == job_lifecycle::down_kind::finished_task)
      return;
    auto reason = dm.reason ? describe(dm.reason) : std::string{"exited"};
    if (dm.reason == caf::exit_reason::kill)
      reason = "killed";
    on_failure(self, "task " + to_string(key) + " " + reason);
  });
  self->delayed_send(self, std::chrono::milliseconds{st.options.report_interval_ms},
                     tick_atom::value);
  self->send(self, restart_atom::value, st.lifecycle->attempt(), 0);
  spdlog::info("job {} ({}) started: {} tasks", st.id(), st.graph.name,
               st.graph.total_subtasks());
  return {
    [=](restart_atom, std::int32_t attempt, int waits) { start_when_clear(self, attempt, waits); },
    [=](restart_atom, std::int32_t attempt) { start_when_clear(self, attempt, 0); },
    [=](restore_atom, std::int32_t attempt, std::int32_t failures) {
      auto& lifecycle = *self->state.lifecycle;
      if (lifecycle.is_current(attempt)
          && lifecycle.current_phase() == job_lifecycle::phase::restoring)
        read_restore(self, attempt, failures);
    },
    [=](retry_atom, std::int32_t attempt) {
      if (self->state.lifecycle->is_current(attempt))
        request_slots_and_deploy(self);
    },
    [=](const task_state_changed& msg) {
      auto& st = self->state;
      if (!accepts(st, msg.leader_session, msg.job_id, msg.attempt))
        return;
      subtask_key key{msg.vertex, msg.subtask};
      switch (st.lifecycle->on_task_state(msg.attempt, key, msg.state)) {
        case job_lifecycle::task_event::all_running:
          report_running(self);
          break;
        case job_lifecycle::task_event::all_finished: {
          auto seconds = std::chrono::duration<double>(steady::now() - st.started_at).count();
          spdlog::info("job {} finished in {:.2f} s ({} restarts, {} checkpoints)", st.id(),
                       seconds, st.lifecycle->restarts(), st.checkpoints_completed);
          terminate(self, job_state::finished);
          break;
        }
        case job_lifecycle::task_event::failed:
          on_failure(self, "task " + to_string(key) + " failed: " + msg.error);
          break;
        case job_lifecycle::task_event::ignored:
          break;
      }
    },
    [=](const task_metrics& msg) {
      auto& st = self->state;
      if (!accepts(st, msg.leader_session, msg.job_id, msg.attempt))
        return;
      auto i = st.tasks.find({msg.vertex, msg.subtask});
      if (i == st.tasks.end())
        return;
      auto& task = i->second;
      task.records_in = msg.records_in;
      task.records_out = msg.records_out;
    },
    [=](const end_of_input& msg) {
      auto& st = self->state;
      if (accepts(st, msg.leader_session, msg.job_id, msg.attempt)
          && st.lifecycle->on_end_of_input(msg.attempt, {msg.vertex, msg.subtask}))
        report_sources_exhausted(self);
    },
    [=](const checkpoint_completed_event& e) {
      auto& st = self->state;
      ++st.checkpoints_completed;
      st.latest_checkpoint_id = std::max(st.latest_checkpoint_id, e.checkpoint_id);
      st.checkpoint_durations_us.push_back(e.duration_us);
      if (st.checkpoint_durations_us.size() > 256)
        st.checkpoint_durations_us.pop_front();
    },
    [=](const checkpoint_failed_event& e) {
      auto& st = self->state;
      ++st.checkpoints_failed;
      if (e.is_final && e.attempt == st.lifecycle->attempt())
        on_failure(self, "final checkpoint " + std::to_string(e.checkpoint_id)
                           + " failed: " + e.reason);
    },
    [=](const inject_task_failure& msg) -> caf::result<std::string> {
      auto& st = self->state;
      std::vector<std::pair<subtask_key, task_actor>> running;
      for (auto& [key, task] : st.tasks)
        if (st.lifecycle->state_of(key) == task_state::running && task.handle)
          running.emplace_back(key, task.handle);
      if (running.empty() || st.lifecycle->state() != job_state::running)
        return make_error(errc::no_running_task,
                          "job " + st.id() + " has no running task to kill");
      std::mt19937_64 rng{msg.seed};
      auto& [key, handle] = running[rng() % running.size()];
      spdlog::info("job {}: killing task {} (injected failure)", st.id(), to_string(key));
      self->send_exit(handle, caf::exit_reason::kill);
      return to_string(key);
    },
    [=](const cancel_job&) -> job_status_report {
      auto& st = self->state;
      if (!st.lifecycle->terminating()) {
        spdlog::info("job {} canceled", st.id());
        terminate(self, job_state::canceled);
      }
      return make_report(st);
    },
    [=](const suspend_job& msg) {
      auto& st = self->state;
      spdlog::info("job {} suspended: {}", st.id(), msg.reason);
      terminate(self, job_state::suspended);
    },
    [=](tick_atom) {
      publish(self);
      self->delayed_send(self, std::chrono::milliseconds{self->state.options.report_interval_ms},
                         tick_atom::value);
    },
  };
}

}  // namespace

job_actor spawn_job(caf::actor_system& sys, job_supervisor_actor job_manager,
                    std::string leader_session, job_graph graph,
                    std::shared_ptr<checkpoint_recovery_factory> factory, job_options options) {
  return sys.spawn(job_behavior, std::move(job_manager), std::move(leader_session),
                   std::move(graph), std::move(factory), options);
}

}  // namespace fjord
