#include "actors/store_workers.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <system_error>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "common/failpoints.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint.hpp"
#include "messages/job_graph.hpp"
#include "fjord/job_status.hpp"
#include "serialization/records.hpp"
#include "stores/checkpoint_recovery_factory.hpp"
#include "stores/job_result_store.hpp"
#include "stores/leader_election.hpp"
#include "stores/store_error.hpp"
#include "stores/submitted_job_graph_store.hpp"

namespace fjord {

namespace {

template <class F>
auto guarded(const char* what, F&& f) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const std::system_error& e) {
    // An injected or raw I/O error: transient, the caller retries.
    return error_from_exception(what, store_error(store_error::kind::io, e.what()));
  } catch (const std::exception& e) {
    return error_from_exception(what, e);
  }
}

/// Throws store_error(fenced) unless `holds` says this JobManager still leads: a deposed
/// leader's queued write or delete is dropped instead of landing after the next leader took
/// over (issue 9, defect 5; the check is local: see README, guarantees).
void require_leadership(const leadership_check& holds, const char* what) {
  if (holds && !holds())
    throw store_error(store_error::kind::fenced,
                      std::string{what} + " dropped: this JobManager no longer leads");
}

/// Deletes the completed checkpoints and the id counter of a job that ended for good.
void discard_checkpoints(checkpoint_recovery_factory& factory, const std::string& job_id,
                         job_state final_state) {
  // No recover() first: an unreadable checkpoint must not keep an ended job's data forever.
  auto store = factory.create_completed_checkpoint_store(job_id, 1);
  auto ids = factory.create_checkpoint_id_counter(job_id);
  store->shutdown(final_state);
  ids->shutdown(final_state);
}

struct checkpoint_worker_state {
  std::shared_ptr<checkpoint_recovery_factory> factory;
  std::string job_id;
  int max_retained = 1;
  leadership_check holds_leadership;
  fence_node_source fence_node;
  std::unique_ptr<completed_checkpoint_store> checkpoints;
  std::unique_ptr<checkpoint_id_counter> counter;
  static inline const char* name = "fjord.checkpoint_store_worker";

  /// Creates and recovers the stores on first use, so a store that is unreachable now is
  /// retried by the next request instead of killing the worker.
  void ensure_open() {
    if (checkpoints && counter)
      return;
    auto store = factory->create_completed_checkpoint_store(job_id, max_retained);
    auto ids = factory->create_checkpoint_id_counter(job_id);
    store->set_write_fence(fence_node);
    store->recover();
    ids->start();
    checkpoints = std::move(store);
    counter = std::move(ids);
  }
};

checkpoint_store_worker_actor::behavior_type
checkpoint_worker(checkpoint_store_worker_actor::stateful_pointer<checkpoint_worker_state> self,
                                std::shared_ptr<checkpoint_recovery_factory> factory,
                                std::string job_id, int max_retained,
                                leadership_check holds_leadership,
                                fence_node_source fence_node) {
  self->state.fence_node = std::move(fence_node);
  self->state.factory = std::move(factory);
  self->state.job_id = std::move(job_id);
  self->state.max_retained = max_retained;
  self->state.holds_leadership = std::move(holds_leadership);
  return {
    [=](next_id_atom) -> caf::result<std::int64_t> {
      return guarded("checkpoint id counter", [&] {
        self->state.ensure_open();
        require_leadership(self->state.holds_leadership, "checkpoint id increment");
        failpoint::hit("checkpoint.counter.increment");
        return self->state.counter->get_and_increment();
      });
    },
    [=](add_atom, const completed_checkpoint& checkpoint) -> caf::result<bool> {
      return guarded("completed checkpoint store", [&] {
        self->state.ensure_open();
        require_leadership(self->state.holds_leadership, "completed checkpoint");
        failpoint::hit("checkpoint.add.before");
        self->state.checkpoints->add(checkpoint);
        failpoint::hit("checkpoint.add.after");
        return true;
      });
    },
    [=](latest_atom) -> caf::result<std::vector<completed_checkpoint>> {
      return guarded("completed checkpoint store", [&] {
        self->state.ensure_open();
        // Re-read durable storage: another JobManager may have added checkpoints.
        self->state.checkpoints->recover();
        std::vector<completed_checkpoint> result;
        if (auto latest = self->state.checkpoints->latest())
          result.push_back(std::move(*latest));
        return result;
      });
    },
    [=](shutdown_atom, job_state) -> caf::result<bool> {
      // Closes the stores and keeps every checkpoint: the job graph store worker deletes them
      // only once the job's result is recorded (remove_atom), so a crash in between cannot
      // leave a graph without checkpoints and without a result, which the next leader would
      // run again from scratch (issue 9, defect 1).
      auto result = guarded("checkpoint stores shutdown", [&] {
        if (self->state.checkpoints)
          self->state.checkpoints->shutdown(job_state::suspended);
        if (self->state.counter)
          self->state.counter->shutdown(job_state::suspended);
        return true;
      });
      self->quit();
      return result;
    },
  };
}

/// Runs on the store's watch thread: only enqueues.
class job_graph_listener_adapter : public job_graph_listener {
 public:
  explicit job_graph_listener_adapter(job_graph_listener_actor target)
    : target_(std::move(target)) {}
  void on_added_job_graph(const std::string& job_id) override {
    caf::anon_send(target_, graph_added_atom::value, job_id);
  }
  void on_removed_job_graph(const std::string& job_id) override {
    caf::anon_send(target_, graph_removed_atom::value, job_id);
  }

 private:
  job_graph_listener_actor target_;
};

struct job_graph_worker_state {
  std::shared_ptr<submitted_job_graph_store> store;
  std::shared_ptr<job_result_store> results;
  std::shared_ptr<checkpoint_recovery_factory> checkpoints;
  std::shared_ptr<leader_election_service> election;
  std::unique_ptr<job_graph_listener_adapter> listener;
  job_graph_listener_actor listener_actor;
  bool started = false;
  static inline const char* name = "fjord.job_graph_store_worker";

  /// Starts the store on first use, so an unreachable store is retried by the next request.
  void ensure_started() {
    if (started)
      return;
    store->start(listener.get());
    started = true;
  }

  /// The clean-up of a job that ended, in the only safe order: its result first (from then
  /// on no leader runs it again), then its checkpoints and counter, then its graph (the last
  /// trace: once it is gone, nothing of the job is left).
  void clean_up_ended_job(const job_result& result, const leadership_check& holds) {
    if (results) {
      results->put(result);
      failpoint::hit("job.result.written");
    }
    require_leadership(holds, "clean-up of an ended job");
    if (checkpoints)
      discard_checkpoints(*checkpoints, result.job_id, result.state);
    failpoint::hit("job.checkpoints.deleted");
    require_leadership(holds, "clean-up of an ended job");
    store->remove(result.job_id);
    failpoint::hit("job.graph.removed");
  }

  /// Drops graphs of jobs that have a result (a crash interrupted their clean-up), finishing
  /// that clean-up.
  std::vector<job_graph> without_results(std::vector<submitted_job_graph> graphs) {
    std::vector<job_graph> result;
    for (auto& submitted : graphs) {
      auto& id = submitted.graph.job_id;
      if (results) {
        if (auto ended = results->get(id)) {
          spdlog::info("job {} ended already ({}): finishing its clean-up", short_id(id),
                       to_string(ended->state));
          clean_up_ended_job(*ended, {});
          continue;
        }
      }
      result.push_back(std::move(submitted.graph));
    }
    return result;
  }
};

job_graph_store_worker_actor::behavior_type
job_graph_worker(job_graph_store_worker_actor::stateful_pointer<job_graph_worker_state> self,
                 std::shared_ptr<submitted_job_graph_store> store,
                 std::shared_ptr<job_result_store> results,
                 std::shared_ptr<checkpoint_recovery_factory> checkpoints,
                 std::shared_ptr<leader_election_service> election,
                 job_graph_listener_actor listener) {
  self->state.store = std::move(store);
  self->state.results = std::move(results);
  self->state.checkpoints = std::move(checkpoints);
  self->state.election = std::move(election);
  self->state.listener_actor = listener;
  self->state.listener = std::make_unique<job_graph_listener_adapter>(std::move(listener));
  return {
    [=](put_atom, const job_graph& graph) -> caf::result<bool> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        failpoint::hit("jobgraph.persist.before");
        submitted_job_graph submitted;
        submitted.graph = graph;
        submitted.submitted_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        self->state.store->put(submitted);
        failpoint::hit("jobgraph.persist.after");
        return true;
      });
    },
    [=](remove_atom, const job_result& result, const std::string& session)
      -> caf::result<bool> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        leadership_check holds;
        if (self->state.election)
          holds = [election = self->state.election, session] {
            return election->has_leadership(session);
          };
        self->state.clean_up_ended_job(result, holds);
        return true;
      });
    },
    [=](recover_atom) -> caf::result<std::vector<job_graph>> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        auto recovered = self->state.store->recover_all();
        // Each failed job is retried on its own (the job manager's graph_added path, with
        // backoff): one unreadable graph must neither hide the others nor stay stopped until
        // the next leader change (issue 9, defect 4).
        for (auto& [job_id, problem] : recovered.failures) {
          spdlog::error("job {} cannot be recovered: {}; retrying", short_id(job_id), problem);
          self->delayed_send(self->state.listener_actor, std::chrono::milliseconds(250),
                             graph_added_atom::value, job_id);
        }
        return self->state.without_results(std::move(recovered.graphs));
      });
    },
    [=](recover_atom, const std::string& job_id) -> caf::result<std::vector<job_graph>> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        std::vector<submitted_job_graph> graphs;
        if (auto submitted = self->state.store->recover(job_id))
          graphs.push_back(std::move(*submitted));
        return self->state.without_results(std::move(graphs));
      });
    },
    [=](results_atom, const std::string& job_id) -> caf::result<std::vector<job_result>> {
      return guarded("job result store", [&] {
        std::vector<job_result> found;
        if (self->state.results)
          if (auto result = self->state.results->get(job_id))
            found.push_back(std::move(*result));
        return found;
      });
    },
    [=](results_atom) -> caf::result<std::vector<job_result>> {
      return guarded("job result store", [&] {
        std::vector<job_result> all;
        if (self->state.results)
          all = self->state.results->all();
        std::stable_sort(all.begin(), all.end(), [](const job_result& a, const job_result& b) {
          return a.ended_ms > b.ended_ms;
        });
        return all;
      });
    },
    [=](shutdown_atom) -> caf::result<bool> {
      auto result = guarded("job graph store shutdown", [&] {
        if (self->state.started)
          self->state.store->stop();
        return true;
      });
      self->quit();
      return result;
    },
  };
}

}  // namespace

checkpoint_store_worker_actor spawn_checkpoint_store_worker(caf::actor_system& sys,
                                         std::shared_ptr<checkpoint_recovery_factory> factory,
                                         std::string job_id, int max_retained,
                                         leadership_check holds_leadership,
                                         fence_node_source fence_node) {
  return sys.spawn<caf::detached>(checkpoint_worker, std::move(factory), std::move(job_id),
                                  max_retained, std::move(holds_leadership),
                                  std::move(fence_node));
}

job_graph_store_worker_actor
spawn_job_graph_store_worker(caf::actor_system& sys,
                             std::shared_ptr<submitted_job_graph_store> store,
                             std::shared_ptr<job_result_store> results,
                             std::shared_ptr<checkpoint_recovery_factory> checkpoints,
                             std::shared_ptr<leader_election_service> election,
                             job_graph_listener_actor listener) {
  return sys.spawn<caf::detached>(job_graph_worker, std::move(store), std::move(results),
                                  std::move(checkpoints), std::move(election),
                                  std::move(listener));
}

}  // namespace fjord
