// The JobManager trusts no client: a graph sent straight to it (past the client's validation)
// is refused before anything is persisted, and a graph that cannot run found in the job graph
// store on a grant becomes FAILED alone, with its result recorded and its graph removed, while
// the other jobs run.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "common/ids.hpp"
#include "messages/client_messages.hpp"
#include "stores/ha_services.hpp"
#include "stores/job_result_store.hpp"
#include "stores/standalone/standalone_stores.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_graphs.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

/// The standalone job graph store, readable from the test thread while the store worker uses
/// it; counts the graphs it was asked to persist.
class shared_job_graph_store : public submitted_job_graph_store {
  template <class F>
  auto locked(F&& f) {
    std::lock_guard<std::mutex> guard{mtx_};
    return f();
  }

 public:
  void start(job_graph_listener* listener) override { locked([&] { inner_.start(listener); }); }
  void stop() override { locked([&] { inner_.stop(); }); }
  void put(const submitted_job_graph& graph) override {
    locked([&] {
      ++puts_;
      inner_.put(graph);
    });
  }
  std::optional<submitted_job_graph> recover(const std::string& job_id) override {
    return locked([&] { return inner_.recover(job_id); });
  }
  recovered_job_graphs recover_all() override {
    return locked([&] { return inner_.recover_all(); });
  }
  void remove(const std::string& job_id) override { locked([&] { inner_.remove(job_id); }); }
  std::vector<std::string> job_ids() override { return locked([&] { return inner_.job_ids(); }); }
  int puts() {
    return locked([&] { return puts_; });
  }

 private:
  std::mutex mtx_;
  standalone_submitted_job_graph_store inner_;
  int puts_ = 0;
};

class shared_job_result_store : public job_result_store {
 public:
  void put(const job_result& result) override {
    std::lock_guard<std::mutex> guard{mtx_};
    inner_.put(result);
  }
  bool contains(const std::string& job_id) override {
    std::lock_guard<std::mutex> guard{mtx_};
    return inner_.contains(job_id);
  }
  std::optional<job_result> get(const std::string& job_id) override {
    std::lock_guard<std::mutex> guard{mtx_};
    return inner_.get(job_id);
  }
  std::vector<job_result> all() override {
    std::lock_guard<std::mutex> guard{mtx_};
    return inner_.all();
  }

 private:
  std::mutex mtx_;
  standalone_job_result_store inner_;
};

struct validation_fixture {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  temp_dir dir;
  std::shared_ptr<shared_job_graph_store> graphs = std::make_shared<shared_job_graph_store>();
  std::shared_ptr<shared_job_result_store> results = std::make_shared<shared_job_result_store>();
  embedded_cluster_options options;

  validation_fixture() {
    options.task_managers = 2;
    options.slots_per_task_manager = 2;
  }

  ha_services services() {
    auto s = make_standalone_ha_services();
    s.job_graphs = graphs;
    s.job_results = results;
    return s;
  }

  /// Sends `graph` to the job manager actor itself, as a client that skipped validation would.
  caf::error submit_directly(embedded_cluster& cluster, const std::string& session,
                             const job_graph& graph) {
    caf::scoped_actor self{sys};
    caf::error outcome;
    self->request(cluster.job_manager(), 30s, submit_job{session, graph})
      .receive([&](const job_submitted&) { outcome = caf::error{}; },
               [&](caf::error& e) { outcome = std::move(e); });
    return outcome;
  }
};

job_graph with_parallelism(job_graph graph, std::int32_t parallelism) {
  graph.vertices.front().parallelism = parallelism;
  return graph;
}

job_graph with_edge_to_nowhere(job_graph graph) {
  graph.edges.push_back(edge_spec{"sums", "nowhere", partitioning::rebalance});
  return graph;
}

job_graph with_id(job_graph graph) {
  graph.job_id = new_job_id();
  return graph;
}

}  // namespace

TEST_CASE_FIXTURE(validation_fixture,
                  "a graph sent past the client's validation is refused by the JobManager "
                  "(invalid_job, one line) and nothing is persisted") {
  embedded_cluster cluster{sys, options, services()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto sum = sum_job(dir.str(), 1000, 0, 0);

  auto missing_vertex = submit_directly(cluster, client.session(), with_edge_to_nowhere(sum));
  CHECK(missing_vertex == errc::invalid_job);
  CHECK(describe(missing_vertex) == "invalid job graph: edges[2].to: unknown vertex 'nowhere' "
                                    "(vertices: numbers, sums, out)");

  auto huge = submit_directly(cluster, client.session(), with_parallelism(sum, INT32_MAX));
  CHECK(huge == errc::invalid_job);
  CHECK(describe(huge) == "invalid job graph: vertices[0].parallelism: 2147483647 is more than "
                          "jobmanager.max-parallelism (1024)");

  auto zero = submit_directly(cluster, client.session(), with_parallelism(sum, 0));
  CHECK(zero == errc::invalid_job);
  CHECK(describe(zero) == "invalid job graph: vertices[0].parallelism: must be >= 1, got 0");

  auto bad_params = sum;
  bad_params.vertices[1].params_json = R"({"keys": 0})";
  auto keys = submit_directly(cluster, client.session(), bad_params);
  CHECK(keys == errc::invalid_job);
  CHECK(describe(keys) == "invalid job graph: vertices[1].params.keys: must be an integer >= 1, "
                          "got 0");

  auto bad_id = sum;
  bad_id.job_id = "../../elsewhere";
  CHECK(submit_directly(cluster, client.session(), bad_id) == errc::invalid_job);

  CHECK(graphs->puts() == 0);
  CHECK(graphs->job_ids().empty());
  // The JobManager is still there and runs a good job.
  auto good = client.submit(sum);
  REQUIRE(good);
  auto report = client.wait_until_done(*good, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
}

TEST_CASE_FIXTURE(validation_fixture,
                  "the JobManager's job size limits come from its options: more subtasks than "
                  "max-tasks-per-job are refused") {
  options.job_manager.limits.max_tasks_per_job = 6;  // the sum job has 3 + 2 + 2
  embedded_cluster cluster{sys, options, services()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());
  auto refused = submit_directly(cluster, client.session(), sum_job(dir.str(), 1000, 0, 0));
  CHECK(refused == errc::invalid_job);
  CHECK(describe(refused) == "invalid job graph: the job has 7 subtasks, more than "
                             "jobmanager.max-tasks-per-job (6)");
  CHECK(graphs->puts() == 0);
}

TEST_CASE_FIXTURE(validation_fixture,
                  "poison graphs already in the job graph store are recovered as FAILED alone: "
                  "result recorded, graph removed, the other job runs") {
  auto sum = sum_job(dir.str(), 20000, 0, 20);
  auto missing_vertex = with_id(with_edge_to_nowhere(sum));
  auto huge = with_id(with_parallelism(sum, INT32_MAX));
  auto good = with_id(sum);
  // As an older client (or another JobManager's submission) left them.
  for (auto& g : {missing_vertex, huge, good})
    graphs->put(submitted_job_graph{g, 1});

  embedded_cluster cluster{sys, options, services()};
  job_client client{sys, cluster.endpoint()};
  REQUIRE(client.connect());

  auto poisoned = client.wait_until_done(missing_vertex.job_id, 30s);
  REQUIRE(poisoned);
  CHECK(poisoned->state == job_state::failed);
  CHECK(poisoned->failure == "invalid job graph: edges[2].to: unknown vertex 'nowhere' "
                             "(vertices: numbers, sums, out)");
  auto too_big = client.wait_until_done(huge.job_id, 30s);
  REQUIRE(too_big);
  CHECK(too_big->state == job_state::failed);
  CHECK(too_big->failure.find("jobmanager.max-parallelism") != std::string::npos);

  // Recorded and removed: the next grant does not recover them again.
  CHECK(eventually(
    [&] {
      auto ids = graphs->job_ids();
      return std::find(ids.begin(), ids.end(), missing_vertex.job_id) == ids.end()
             && std::find(ids.begin(), ids.end(), huge.job_id) == ids.end();
    },
    10s));
  auto recorded = results->get(missing_vertex.job_id);
  REQUIRE(recorded);
  CHECK(recorded->state == job_state::failed);
  CHECK(recorded->failure == poisoned->failure);
  CHECK(results->contains(huge.job_id));

  auto report = client.wait_until_done(good.job_id, 60s);
  REQUIRE(report);
  CHECK(report->state == job_state::finished);
  auto verdict = verify_sum(dir.str(), 20000);
  INFO(verdict.verdict);
  CHECK(verdict.passed);
}
