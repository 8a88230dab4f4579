#include "actors/store_workers.hpp"

#include <algorithm>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint.hpp"
#include "messages/job_graph.hpp"
#include "fjord/job_status.hpp"
#include "serialization/records.hpp"
#include "stores/checkpoint_recovery_factory.hpp"
#include "stores/job_result_store.hpp"
#include "stores/submitted_job_graph_store.hpp"

namespace fjord {

namespace {

template <class F>
auto guarded(const char* what, F&& f) -> caf::result<decltype(f())> {
  try {
    return f();
  } catch (const std::exception& e) {
    return error_from_exception(what, e);
  }
}

struct checkpoint_worker_state {
  std::shared_ptr<checkpoint_recovery_factory> factory;
  std::string job_id;
  int max_retained = 1;
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
    store->recover();
    ids->start();
    checkpoints = std::move(store);
    counter = std::move(ids);
  }
};

checkpoint_store_worker_actor::behavior_type
checkpoint_worker(checkpoint_store_worker_actor::stateful_pointer<checkpoint_worker_state> self,
                                std::shared_ptr<checkpoint_recovery_factory> factory,
                                std::string job_id, int max_retained) {
  self->state.factory = std::move(factory);
  self->state.job_id = std::move(job_id);
  self->state.max_retained = max_retained;
  return {
    [=](next_id_atom) -> caf::result<std::int64_t> {
      return guarded("checkpoint id counter", [&] {
        self->state.ensure_open();
        return self->state.counter->get_and_increment();
      });
    },
    [=](add_atom, const completed_checkpoint& checkpoint) -> caf::result<bool> {
      return guarded("completed checkpoint store", [&] {
        self->state.ensure_open();
        self->state.checkpoints->add(checkpoint);
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
    [=](shutdown_atom, job_state final_state) -> caf::result<bool> {
      auto result = guarded("checkpoint stores shutdown", [&] {
        if (is_globally_terminal(final_state))
          self->state.ensure_open();
        if (self->state.checkpoints)
          self->state.checkpoints->shutdown(final_state);
        if (self->state.counter)
          self->state.counter->shutdown(final_state);
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
  std::unique_ptr<job_graph_listener_adapter> listener;
  bool started = false;
  static inline const char* name = "fjord.job_graph_store_worker";

  /// Starts the store on first use, so an unreachable store is retried by the next request.
  void ensure_started() {
    if (started)
      return;
    store->start(listener.get());
    started = true;
  }

  /// Drops graphs of jobs that have a result (finished before a crash removed their graph).
  std::vector<job_graph> without_results(std::vector<submitted_job_graph> graphs) {
    std::vector<job_graph> result;
    for (auto& submitted : graphs) {
      auto& id = submitted.graph.job_id;
      if (results && results->contains(id)) {
        spdlog::info("job {} ended already: removing its leftover graph", short_id(id));
        store->remove(id);
        continue;
      }
      result.push_back(std::move(submitted.graph));
    }
    return result;
  }
};

job_graph_store_worker_actor::behavior_type
job_graph_worker(job_graph_store_worker_actor::stateful_pointer<job_graph_worker_state> self,
                 std::shared_ptr<submitted_job_graph_store> store,
                 std::shared_ptr<job_result_store> results, job_graph_listener_actor listener) {
  self->state.store = std::move(store);
  self->state.results = std::move(results);
  self->state.listener = std::make_unique<job_graph_listener_adapter>(std::move(listener));
  return {
    [=](put_atom, const job_graph& graph) -> caf::result<bool> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        submitted_job_graph submitted;
        submitted.graph = graph;
        submitted.submitted_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        self->state.store->put(submitted);
        return true;
      });
    },
    [=](remove_atom, const job_result& result) -> caf::result<bool> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        // The result first: if we crash before the graph is gone, the next leader sees the
        // result and does not run the job again.
        if (self->state.results)
          self->state.results->put(result);
        self->state.store->remove(result.job_id);
        return true;
      });
    },
    [=](recover_atom) -> caf::result<std::vector<job_graph>> {
      return guarded("job graph store", [&] {
        self->state.ensure_started();
        auto recovered = self->state.store->recover_all();
        for (auto& [job_id, problem] : recovered.failures)
          spdlog::error("job {} cannot be recovered: {}", short_id(job_id), problem);
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
                                         std::string job_id, int max_retained) {
  return sys.spawn<caf::detached>(checkpoint_worker, std::move(factory), std::move(job_id),
                                  max_retained);
}

job_graph_store_worker_actor
spawn_job_graph_store_worker(caf::actor_system& sys,
                             std::shared_ptr<submitted_job_graph_store> store,
                             std::shared_ptr<job_result_store> results,
                             job_graph_listener_actor listener) {
  return sys.spawn<caf::detached>(job_graph_worker, std::move(store), std::move(results),
                                  std::move(listener));
}

}  // namespace fjord
