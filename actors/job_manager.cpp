#include "actors/job_manager.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/detail/retry_backoff.hpp"
#include "actors/errors.hpp"
#include "actors/leader_election_worker.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "fjord/operator_registry.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint.hpp"
#include "messages/client_messages.hpp"
#include "messages/internal_messages.hpp"
#include "messages/task_messages.hpp"
#include "serialization/records.hpp"

namespace fjord {

namespace {

struct task_manager_entry {
  task_manager_actor handle;
  std::int32_t slots = 0;
  std::int32_t free = 0;
  std::string data_host;  ///< its announced data endpoint (empty: none)
  std::uint16_t data_port = 0;
};

struct job_entry {
  job_actor actor;
  job_status_report report;
  std::vector<std::string> slot_owners;  ///< task manager id per allocated slot
  std::vector<plugin_blob> plugins;      ///< served to TaskManagers (fetch_plugin)
};

/// What the job manager's workers have in common: (shutdown_atom) -> bool.
using stoppable_worker = caf::typed_actor<caf::replies_to<shutdown_atom>::with<bool>>;

struct job_manager_state {
  ha_services services;
  job_manager_options options;
  leader_election_worker_actor election;
  job_graph_store_worker_actor job_graphs;
  /// Shared with the termination functor, which runs after the state is destroyed.
  std::shared_ptr<std::vector<stoppable_worker>> workers =
    std::make_shared<std::vector<stoppable_worker>>();
  std::string session;  ///< empty: not the leader
  std::map<std::string, task_manager_entry> task_managers;
  std::map<caf::actor_addr, std::string> task_manager_by_addr;
  std::map<std::string, job_entry> jobs;
  std::map<std::string, job_status_report> finished;
  std::deque<std::string> finished_order;
  /// Failed recoveries of one job in a row (graph_added retries), for the backoff.
  std::map<std::string, std::int32_t> recovery_failures;
  /// Refused registrations, and when one was last logged (at most one line a second: they may
  /// come from a stranger, or from a TaskManager retrying under a taken id).
  std::int64_t refused_registrations = 0;
  std::chrono::steady_clock::time_point refusal_logged{};

  static inline const char* name = "fjord.job_manager";
};

using jm_actor = job_manager_actor::stateful_base<job_manager_state>;

caf::error not_leader(const job_manager_state& st) {
  if (st.session.empty())
    return make_error(errc::not_leader, "this JobManager is not the leader");
  return make_error(errc::fenced, "request for another leader session (fenced)");
}

bool fenced_ok(const job_manager_state& st, const std::string& session) {
  return !st.session.empty() && session == st.session;
}

caf::error unknown_job(const std::string& job_id) {
  return make_error(errc::unknown_job, "unknown job " + job_id);
}

/// A job id a client sent that names no job at all: refused before any store or map sees it
/// (ids name znodes and files). Quoted with control characters escaped and cut to 40.
std::optional<caf::error> bad_job_id(const std::string& job_id) {
  if (is_valid_job_id(job_id))
    return std::nullopt;
  std::string shown;
  for (char c : job_id.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      shown += std::string{"\\x"} + hex[u >> 4] + hex[u & 15];
    } else {
      shown += c;
    }
  }
  if (job_id.size() > 40)
    shown += "...";
  return make_error(errc::invalid_argument,
                    "invalid job id '" + shown + "': expected 32 lowercase hex digits");
}

/// Longest TaskManager id accepted (it is logged and shown in errors).
constexpr std::size_t max_task_manager_id_length = 128;

/// Why a registration must be refused before it touches the registry, or nothing.
std::optional<caf::error> bad_registration(const job_manager_state& st,
                                           const register_task_manager& msg) {
  auto refuse = [&](const std::string& why) {
    return make_error(errc::invalid_argument, "task manager registration refused: " + why);
  };
  if (!msg.task_manager)
    return refuse("no task manager handle");
  if (msg.task_manager_id.empty() || msg.task_manager_id.size() > max_task_manager_id_length)
    return refuse("its id must have 1 to " + std::to_string(max_task_manager_id_length)
                  + " characters, got " + std::to_string(msg.task_manager_id.size()));
  for (char c : msg.task_manager_id)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f)
      return refuse("its id contains control characters");
  auto max = st.options.limits.max_task_manager_slots;
  if (msg.slots < 1 || msg.slots > max)
    return refuse("task manager " + msg.task_manager_id + " offers " + std::to_string(msg.slots)
                  + " slots; expected 1 to taskmanager.max-slots (" + std::to_string(max) + ")");
  auto known = st.task_managers.find(msg.task_manager_id);
  if (known != st.task_managers.end() && known->second.handle != msg.task_manager)
    return make_error(errc::already_exists,
                      "task manager registration refused: the id " + msg.task_manager_id
                        + " is registered by another live task manager");
  return std::nullopt;
}

void release_slots(job_manager_state& st, job_entry& job) {
  for (auto& owner : job.slot_owners) {
    auto i = st.task_managers.find(owner);
    if (i != st.task_managers.end())
      i->second.free = std::min(i->second.slots, i->second.free + 1);
  }
  job.slot_owners.clear();
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Why `graph` must not run here (one line), or nothing.
std::optional<std::string> why_not_runnable(const job_manager_state& st, const job_graph& graph) {
  // The TaskManagers run the registry's operators and those the graph ships as plugins.
  return admission_problem(graph, st.options.limits, operator_registry::global());
}

void remember_finished(job_manager_state& st, const job_status_report& report);
void clean_up_job(jm_actor* self, job_result result, std::int32_t failures);

/// A graph from the store that cannot run: FAILED for good with `reason`, its result recorded
/// and its graph removed (one request to the store worker does both), so that the next grant
/// does not recover it again. Other jobs are not touched.
void fail_unstartable_job(jm_actor* self, const job_graph& graph, const std::string& reason) {
  auto& st = self->state;
  spdlog::error("job {} ({}) cannot run and is FAILED: {}", short_id(graph.job_id), graph.name,
                reason);
  job_status_report report;
  report.job_id = graph.job_id;
  report.name = graph.name;
  report.state = job_state::failed;
  report.failure = reason;
  report.started_ms = report.ended_ms = wall_ms();
  remember_finished(st, report);
  clean_up_job(self, job_result{report.job_id, report.state, report.ended_ms, report.failure},
               0);
}

/// Starts the job actor of `graph` — unless this job id already has one, or ended here: the
/// submission path, the recovery on grant and the foreign-add recovery may all reach here for
/// one id (two submissions of one id at once both pass the "exists" check before either is
/// persisted), and one id runs one job actor, always. A graph that fails admission, or whose
/// actor cannot be spawned, becomes FAILED (fail_unstartable_job).
void start_job(jm_actor* self, job_graph graph) {
  auto& st = self->state;
  auto id = graph.job_id;
  if (st.jobs.count(id) > 0 || st.finished.count(id) > 0) {
    spdlog::debug("job {}: runs or ended here already; not started again", short_id(id));
    return;
  }
  if (auto bad = bad_job_id(id)) {
    // Not failed and cleaned up like other bad graphs: that would hand the id to the stores.
    spdlog::error("a recovered job graph ({}) is not started: {}", graph.name, describe(*bad));
    return;
  }
  if (auto problem = why_not_runnable(st, graph)) {
    fail_unstartable_job(self, graph, "invalid job graph: " + *problem);
    return;
  }
  auto plugins = graph.plugins;
  auto options = st.options.job;
  if (auto election = st.services.election) {
    options.holds_leadership = [election, session = st.session] {
      return election->has_leadership(session);
    };
    options.fence_node = [election, session = st.session] {
      return election->fencing_node(session);
    };
  }
  job_actor job;
  try {
    job = spawn_job(self->system(), caf::actor_cast<job_supervisor_actor>(self), st.session,
                    graph, st.services.checkpoint_recovery, options);
  } catch (const std::exception& e) {
    fail_unstartable_job(self, graph, std::string{"its job actor could not start: "} + e.what());
    return;
  }
  self->monitor(job);
  auto& entry = st.jobs[id];
  entry.actor = job;
  entry.report.job_id = id;
  entry.report.state = job_state::created;
  entry.plugins = std::move(plugins);
}

void remember_finished(job_manager_state& st, const job_status_report& report) {
  if (st.finished.count(report.job_id) == 0)
    st.finished_order.push_back(report.job_id);
  st.finished[report.job_id] = report;
  while (st.finished_order.size() > st.options.retained_finished_jobs) {
    st.finished.erase(st.finished_order.front());
    st.finished_order.pop_front();
  }
}

/// How long a status or list request waits for the job result store: less than the clients'
/// request timeout (3 s), so that `list` still answers with what this leader knows.
constexpr auto result_lookup_timeout = std::chrono::seconds(2);

/// The report of a job this JobManager runs or saw end; nullptr if it knows none.
const job_status_report* known_report(const job_manager_state& st, const std::string& job_id) {
  if (auto i = st.jobs.find(job_id); i != st.jobs.end())
    return &i->second.report;
  if (auto i = st.finished.find(job_id); i != st.finished.end())
    return &i->second;
  return nullptr;
}

/// What is known of a job that ended under an earlier leader: its recorded result.
job_status_report report_of(const job_result& result) {
  job_status_report report;
  report.job_id = result.job_id;
  report.state = result.state;
  report.ended_ms = result.ended_ms;
  report.failure = result.failure;
  return report;
}

/// The running jobs, then the most recently ended ones (at most retained_finished_jobs, of this
/// leader and of `results`, newest end first), oldest first.
std::vector<job_status_report> job_list(const job_manager_state& st,
                                        const std::vector<job_result>& results) {
  std::vector<job_status_report> list;
  for (auto& [id, job] : st.jobs)
    list.push_back(job.report);
  std::vector<job_status_report> ended;
  for (auto& id : st.finished_order)
    ended.push_back(st.finished.at(id));
  for (auto& result : results)
    if (!known_report(st, result.job_id))
      ended.push_back(report_of(result));
  std::stable_sort(ended.begin(), ended.end(),
                   [](auto& a, auto& b) { return a.ended_ms > b.ended_ms; });
  if (ended.size() > st.options.retained_finished_jobs)
    ended.resize(st.options.retained_finished_jobs);
  list.insert(list.end(), ended.rbegin(), ended.rend());
  return list;
}

/// Asks the job actor and relays its answer (or error) to the client.
template <class Reply, class Message>
caf::result<Reply> forward_to_job(jm_actor* self, const job_actor& job, const Message& msg) {
  auto rp = self->make_response_promise<Reply>();
  self->request(job, std::chrono::seconds(30), msg)
    .then([=](Reply& reply) mutable { rp.deliver(std::move(reply)); },
          [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}


/// Recovers every job of the job graph store. Retried with backoff while this session leads,
/// until the store answers: one store error during failover must not leave every job stopped
/// until the next leader change (issue 9, defect 4).
void recover_jobs(jm_actor* self, std::int32_t failures = 0) {
  auto& st = self->state;
  auto session = st.session;
  self->request(st.job_graphs, std::chrono::seconds(120), recover_atom::value)
    .then(
      [=](std::vector<job_graph>& graphs) {
        auto& st = self->state;
        if (st.session != session)
          return;  // leadership changed meanwhile: this result is stale
        for (auto& graph : graphs) {
          if (st.jobs.count(graph.job_id) || st.finished.count(graph.job_id))
            continue;
          spdlog::info("job {} ({}) recovered from the job graph store", short_id(graph.job_id),
                       graph.name);
          start_job(self, std::move(graph));
        }
      },
      [=](caf::error& e) {
        auto delay = detail::retry_backoff(failures);
        spdlog::error("recovering job graphs failed (attempt {}): {}; retrying in {} ms",
                      failures + 1, describe(e), delay.count());
        self->delayed_send(self, delay, retry_atom::value, session, failures + 1);
      });
}

/// Records the result of a job that ended, then deletes its checkpoints and its graph (the job
/// graph store worker keeps that order). Retried with backoff while this session leads: until
/// the result is recorded, the next leader would run the job again from its last checkpoint.
void clean_up_job(jm_actor* self, job_result result, std::int32_t failures) {
  auto& st = self->state;
  auto session = st.session;
  self->request(st.job_graphs, std::chrono::seconds(120), remove_atom::value, result, session)
    .then([](bool) {},
          [=](caf::error& e) {
            if (self->state.session != session) {
              spdlog::warn("job {}: clean-up stopped, leadership lost: {}",
                           short_id(result.job_id), describe(e));
              return;
            }
            auto delay = detail::retry_backoff(failures);
            spdlog::error("job {} ended but its result and clean-up failed (attempt {}): {}; "
                          "retrying in {} ms",
                          short_id(result.job_id), failures + 1, describe(e), delay.count());
            self->delayed_send(self, delay, clean_up_atom::value, result, failures + 1);
          });
}

job_manager_actor::behavior_type job_manager(jm_actor* self, ha_services services,
                                             job_manager_options options) {
  auto& st = self->state;
  st.services = std::move(services);
  st.options = std::move(options);
  st.job_graphs = spawn_job_graph_store_worker(self->system(), st.services.job_graphs,
                                               st.services.job_results,
                                               st.services.checkpoint_recovery,
                                               st.services.election,
                                               caf::actor_cast<job_graph_listener_actor>(self));
  if (!st.options.wait_for_address)
    st.election = spawn_leader_election_worker(self->system(), st.services.election,
                                               caf::actor_cast<leader_contender_actor>(self));
  // Runs after the state is gone: stop the workers (the election releases leadership).
  self->attach_functor([workers = st.workers](const caf::error&) {
    for (auto& w : *workers)
      caf::anon_send(w, shutdown_atom::value);
  });
  st.workers->push_back(st.job_graphs);
  if (st.election)
    st.workers->push_back(st.election);
  // Shutdown of the JobManager process: stop local execution, keep every piece of HA data.
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [id, job] : self->state.jobs)
      self->send_exit(job.actor, em.reason);
    self->quit(em.reason);
  });
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    auto tm = st.task_manager_by_addr.find(dm.source);
    if (tm != st.task_manager_by_addr.end()) {
      spdlog::warn("task manager {} lost: {}", tm->second, describe(dm.reason));
      st.task_managers.erase(tm->second);
      st.task_manager_by_addr.erase(tm);
      return;
    }
    for (auto i = st.jobs.begin(); i != st.jobs.end(); ++i) {
      if (i->second.actor.address() == dm.source) {
        // A job actor that died without job_terminated (a bug or a crash): keep its graph, so
        // the next grant recovers it.
        spdlog::error("job {} actor ended unexpectedly: {}", short_id(i->first),
                      describe(dm.reason));
        release_slots(st, i->second);
        st.jobs.erase(i);
        return;
      }
    }
  });
  return {
    [=](grant_atom, const std::string& session) {
      auto& st = self->state;
      st.session = session;
      spdlog::info("leader elected (session {})", session);
      self->send(st.election, confirm_atom::value, session, st.options.address);
      recover_jobs(self);
    },
    [=](revoke_atom) {
      auto& st = self->state;
      if (st.session.empty())
        return;
      spdlog::warn("leadership revoked (session {}): suspending {} job(s), HA data kept",
                   st.session, st.jobs.size());
      st.session.clear();
      for (auto& [id, job] : st.jobs)
        self->send(job.actor, suspend_job{"leadership revoked"});
      // TaskManagers follow the next leader; they re-register with its session.
      for (auto& [id, tm] : st.task_managers)
        self->demonitor(tm.handle.address());
      st.task_managers.clear();
      st.task_manager_by_addr.clear();
    },
    [=](ha_error_atom, const std::string& message) {
      spdlog::critical("high availability failed: {}", message);
      self->quit(caf::make_error(caf::sec::runtime_error, message));
    },
    [=](clean_up_atom, const job_result& result, std::int32_t failures) {
      if (!self->state.session.empty())
        clean_up_job(self, result, failures);
    },
    [=](retry_atom, const std::string& session, std::int32_t failures) {
      if (self->state.session == session)
        recover_jobs(self, failures);
    },
    [=](leader_atom) { return self->state.session; },
    [=](start_atom, const std::string& address) {
      auto& st = self->state;
      if (st.election)
        return;
      st.options.address = address;
      st.election = spawn_leader_election_worker(self->system(), st.services.election,
                                                 caf::actor_cast<leader_contender_actor>(self));
      st.workers->push_back(st.election);
    },
    [=](graph_added_atom, const std::string& job_id) {
      auto& st = self->state;
      if (st.session.empty() || st.jobs.count(job_id) || st.finished.count(job_id))
        return;
      auto session = st.session;
      self->request(st.job_graphs, std::chrono::seconds(120), recover_atom::value, job_id)
        .then(
          [=](std::vector<job_graph>& graphs) {
            auto& st = self->state;
            if (st.session != session)
              return;
            st.recovery_failures.erase(job_id);
            if (graphs.empty() || st.jobs.count(job_id))
              return;
            spdlog::info("job {} ({}) submitted through another JobManager: running it",
                         short_id(job_id), graphs.front().name);
            start_job(self, std::move(graphs.front()));
          },
          [=](caf::error& e) {
            // Retried until the store answers: the job is acknowledged and must run.
            auto& st = self->state;
            if (st.session != session)
              return;
            auto failures = st.recovery_failures[job_id]++;
            auto delay = detail::retry_backoff(failures);
            spdlog::error("job {} cannot be recovered (attempt {}): {}; retrying in {} ms",
                          short_id(job_id), failures + 1, describe(e), delay.count());
            self->delayed_send(self, delay, graph_added_atom::value, job_id);
          });
    },
    [=](graph_removed_atom, const std::string& job_id) {
      auto& st = self->state;
      auto i = st.jobs.find(job_id);
      if (st.session.empty() || i == st.jobs.end())
        return;
      spdlog::error("job {}: another JobManager removed its graph; stopping it here", short_id(job_id));
      self->send(i->second.actor, suspend_job{"its graph was removed by another JobManager"});
    },
    [=](const fetch_plugin& msg) -> caf::result<std::string> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      if (auto bad = bad_job_id(msg.job_id))
        return std::move(*bad);
      auto i = st.jobs.find(msg.job_id);
      if (i == st.jobs.end())
        return unknown_job(msg.job_id);
      for (auto& plugin : i->second.plugins)
        if (plugin.sha256 == msg.sha256)
          return plugin.bytes;
      return make_error(errc::not_found, "job " + short_id(msg.job_id) + " has no plugin "
                                           + msg.sha256.substr(0, 12));
    },
    [=](const register_task_manager& msg) -> caf::result<task_manager_registered> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      if (auto refused = bad_registration(st, msg)) {
        auto now = std::chrono::steady_clock::now();
        if (++st.refused_registrations == 1 || now - st.refusal_logged >= std::chrono::seconds(1)) {
          spdlog::warn("{} ({} refused in all)", describe(*refused), st.refused_registrations);
          st.refusal_logged = now;
        }
        return std::move(*refused);
      }
      // A re-registration of the same actor keeps the slots its jobs hold: free counts only
      // what is left of the new offer.
      std::int32_t used = 0;
      auto known = st.task_managers.find(msg.task_manager_id);
      if (known != st.task_managers.end())
        used = known->second.slots - known->second.free;
      auto free = std::max(0, msg.slots - used);
      // One handle names one id: an actor re-registering under another id leaves the old one.
      if (auto other = st.task_manager_by_addr.find(msg.task_manager.address());
          other != st.task_manager_by_addr.end() && other->second != msg.task_manager_id)
        st.task_managers.erase(other->second);
      st.task_managers[msg.task_manager_id] = {msg.task_manager, msg.slots, free, msg.data_host,
                                               msg.data_port};
      st.task_manager_by_addr[msg.task_manager.address()] = msg.task_manager_id;
      if (known == st.task_managers.end())
        self->monitor(msg.task_manager);
      spdlog::info("task manager {} registered ({} slots)", msg.task_manager_id, msg.slots);
      return task_manager_registered{st.session,
                                     static_cast<std::int32_t>(st.task_managers.size())};
    },
    [=](const request_slots& msg) -> caf::result<std::vector<slot_assignment>> {
      auto& st = self->state;
      if (msg.count < 0)
        return make_error(errc::invalid_argument, "a negative slot count was requested");
      auto job = st.jobs.find(msg.job_id);
      if (job == st.jobs.end())
        return unknown_job(msg.job_id);
      release_slots(st, job->second);
      // 64 bits: the registered slots are bounded, their sum over every TaskManager is not.
      std::int64_t free = 0;
      for (auto& [id, tm] : st.task_managers)
        free += tm.free;
      if (free < msg.count)
        return make_error(errc::no_slots,
                               "not enough free slots: the job needs " + std::to_string(msg.count)
                                 + ", " + std::to_string(free) + " free on "
                                 + std::to_string(st.task_managers.size())
                                 + " task manager(s)");
      // Spread: always take from the task manager with the most free slots.
      std::vector<slot_assignment> result;
      for (std::int32_t i = 0; i < msg.count; ++i) {
        auto best = std::max_element(st.task_managers.begin(), st.task_managers.end(),
                                     [](auto& a, auto& b) { return a.second.free < b.second.free; });
        --best->second.free;
        job->second.slot_owners.push_back(best->first);
        result.push_back(slot_assignment{best->second.handle, best->first,
                                         best->second.data_host, best->second.data_port});
      }
      return result;
    },
    [=](const submit_job& msg) -> caf::result<job_submitted> {
      auto& st = self->state;
      bool standby = st.session.empty() && msg.leader_session.empty();
      if (!standby && !fenced_ok(st, msg.leader_session))
        return not_leader(st);
      auto graph = msg.graph;
      // The size first: it costs nothing, and the graph is copied and persisted below.
      if (auto problem = size_problem(graph, st.options.limits))
        return make_error(errc::invalid_job, "invalid job graph: " + *problem);
      if (!graph.job_id.empty() && !is_valid_job_id(graph.job_id))  // it names znodes and files
        return make_error(errc::invalid_job,
                          "invalid job graph: " + describe(*bad_job_id(graph.job_id)));
      // Checked here, not only by the client: what is persisted is recovered by every leader.
      if (auto problem = why_not_runnable(st, graph))
        return make_error(errc::invalid_job, "invalid job graph: " + *problem);
      if (graph.job_id.empty())
        graph.job_id = new_job_id();
      if (st.jobs.count(graph.job_id) || st.finished.count(graph.job_id))
        return make_error(errc::already_exists, "job " + graph.job_id + " exists already");
      auto rp = self->make_response_promise<job_submitted>();
      auto session = st.session;
      // Persist before acknowledging: a job that was acknowledged survives a failover.
      self->request(st.job_graphs, std::chrono::seconds(120), put_atom::value, graph)
        .then(
          [=](bool) mutable {
            auto& st = self->state;
            if (standby) {
              spdlog::info("job {} ({}) persisted by this standby; the leader will run it",
                           short_id(graph.job_id), graph.name);
              rp.deliver(job_submitted{graph.job_id});
              return;
            }
            if (st.session != session) {
              rp.deliver(not_leader(st));
              return;
            }
            spdlog::info("job {} ({}) submitted", short_id(graph.job_id), graph.name);
            start_job(self, graph);
            rp.deliver(job_submitted{graph.job_id});
          },
          [=](caf::error& e) mutable {
            spdlog::error("job {} rejected: its graph could not be persisted: {}",
                          short_id(graph.job_id), describe(e));
            rp.deliver(with_context("the job graph could not be persisted: ", e));
          });
      return rp;
    },
    [=](const request_job_status& msg) -> caf::result<job_status_report> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      if (auto bad = bad_job_id(msg.job_id))
        return std::move(*bad);
      if (auto known = known_report(st, msg.job_id))
        return *known;
      // Not ours: it may have ended under an earlier leader. Its result is read by the store
      // worker, since the store may block and this actor must not.
      auto rp = self->make_response_promise<job_status_report>();
      auto job_id = msg.job_id;
      self->request(st.job_graphs, result_lookup_timeout, results_atom::value, job_id)
        .then(
          [=](std::vector<job_result>& found) mutable {
            if (auto known = known_report(self->state, job_id))
              rp.deliver(*known);  // started or ended here meanwhile
            else if (found.empty())
              rp.deliver(unknown_job(job_id));
            else
              rp.deliver(report_of(found.front()));
          },
          [=](caf::error& e) mutable {
            rp.deliver(
              with_context("job " + job_id + ": the job result store cannot be read: ", e));
          });
      return rp;
    },
    [=](const list_jobs& msg) -> caf::result<std::vector<job_status_report>> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      // The finished jobs include those that ended under earlier leaders (from the store).
      auto rp = self->make_response_promise<std::vector<job_status_report>>();
      self->request(st.job_graphs, result_lookup_timeout, results_atom::value)
        .then(
          [=](std::vector<job_result>& results) mutable {
            rp.deliver(job_list(self->state, results));
          },
          [=](caf::error& e) mutable {
            spdlog::warn("listing jobs without those of earlier leaders: the job result store "
                         "cannot be read: {}",
                         describe(e));
            rp.deliver(job_list(self->state, {}));
          });
      return rp;
    },
    [=](const cancel_job& msg) -> caf::result<job_status_report> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      if (auto bad = bad_job_id(msg.job_id))
        return std::move(*bad);
      if (auto i = st.jobs.find(msg.job_id); i != st.jobs.end())
        return forward_to_job<job_status_report>(self, i->second.actor, msg);
      if (auto i = st.finished.find(msg.job_id); i != st.finished.end())
        return i->second;
      return unknown_job(msg.job_id);
    },
    [=](const inject_task_failure& msg) -> caf::result<std::string> {
      auto& st = self->state;
      if (!fenced_ok(st, msg.leader_session))
        return not_leader(st);
      if (auto bad = bad_job_id(msg.job_id))
        return std::move(*bad);
      if (auto i = st.jobs.find(msg.job_id); i != st.jobs.end())
        return forward_to_job<std::string>(self, i->second.actor, msg);
      return unknown_job(msg.job_id);
    },
    [=](const job_status_report& report) {
      auto& st = self->state;
      if (auto i = st.jobs.find(report.job_id); i != st.jobs.end())
        i->second.report = report;
    },
    [=](const job_terminated& msg) {
      auto& st = self->state;
      auto& report = msg.report;
      auto i = st.jobs.find(report.job_id);
      if (i == st.jobs.end())
        return;
      release_slots(st, i->second);
      self->demonitor(i->second.actor.address());
      st.jobs.erase(i);
      if (!is_globally_terminal(report.state)) {
        // Suspended: the graph stays for the next leader. If that is us already (leadership
        // regained while this instance was still stopping), recover it now that it is gone.
        if (!st.session.empty())
          self->send(self, graph_added_atom::value, report.job_id);
        return;
      }
      remember_finished(st, report);
      if (st.session.empty()) {
        // Deposed meanwhile: the next leader finds the graph and its checkpoints, restores the
        // final checkpoint (nothing left to emit) and cleans up itself.
        spdlog::warn("job {} ended as {} after leadership was lost: its clean-up is left to "
                     "the next leader",
                     short_id(report.job_id), to_string(report.state));
        return;
      }
      clean_up_job(self, job_result{report.job_id, report.state, report.ended_ms, report.failure},
                   0);
    },
  };
}

}  // namespace

job_manager_actor spawn_job_manager(caf::actor_system& sys, ha_services services,
                             job_manager_options options) {
  return sys.spawn(job_manager, std::move(services), std::move(options));
}

}  // namespace fjord
