// Every ZooKeeper store on a real server that is stopped and started again on the same data
// (issue 3 item 10): the clients reconnect with their sessions, the counter refuses while the
// connection is down and works again after it (FLINK-14091), no data is lost, and the job-graph
// watch still reports other JobManagers' graphs.
#include <doctest/doctest.h>

#include <map>
#include <mutex>

#include "tests/support/job_ids.hpp"
#include "stores/zookeeper/zk_job_result_store.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;

namespace {

class counting_listener : public job_graph_listener {
 public:
  void on_added_job_graph(const std::string& job_id) override {
    std::lock_guard<std::mutex> guard{mutex_};
    added_[job_id]++;
  }
  void on_removed_job_graph(const std::string& job_id) override {
    std::lock_guard<std::mutex> guard{mutex_};
    removed_[job_id]++;
  }
  int added(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    return added_[id];
  }
  int removed(const std::string& id) {
    std::lock_guard<std::mutex> guard{mutex_};
    return removed_[id];
  }

 private:
  std::mutex mutex_;
  std::map<std::string, int> added_;
  std::map<std::string, int> removed_;
};

bool connected(zk::client& c) {
  auto s = c.state();
  return s == zk::connection_state::connected || s == zk::connection_state::reconnected;
}

const std::string job_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string job_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

}  // namespace

TEST_CASE("stores on a real ZooKeeper stopped and started again: reconnect, nothing lost") {
  test::restartable_zk_env env;
  auto checkpoints = env.checkpoint_store(testing::job_id("job"), 2);
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  checkpoints->add(test::make_checkpoint(testing::job_id("job"), counter->get_and_increment()));
  checkpoints->add(test::make_checkpoint(testing::job_id("job"), counter->get_and_increment()));
  counting_listener listener;
  auto graphs = env.job_graph_store();
  graphs->start(&listener);
  graphs->put(test::make_job_graph(job_a, 1));
  zk_job_result_store results{env.client(), "/job-results", test::fast_retry()};
  results.put(job_result{testing::job_id("finished-job"), job_state::finished, 5, ""});
  auto other_session = env.new_client();
  auto other = env.job_graph_store(other_session);

  env.server.stop();
  REQUIRE(testing::eventually([&] {
    return env.client()->state() == zk::connection_state::suspended;
  }));
  try {
    counter->get_and_increment();
    FAIL("the counter handed out an id while the connection was suspended");
  } catch (const store_error& e) {
    CHECK(e.which() == store_error::kind::unavailable);
  }

  env.server.start();
  REQUIRE(testing::eventually([&] { return connected(*env.client()); },
                           std::chrono::seconds{20}));
  REQUIRE(testing::eventually([&] { return connected(*other_session); },
                           std::chrono::seconds{20}));
  CHECK(env.client()->state() == zk::connection_state::reconnected);

  // The counter works again and continues where it was.
  CHECK(counter->get_and_increment() == 3);
  checkpoints->add(test::make_checkpoint(testing::job_id("job"), 3));
  CHECK(checkpoints->latest()->checkpoint_id == 3);
  auto next_leader = env.checkpoint_store(testing::job_id("job"), 2);
  next_leader->recover();
  REQUIRE(next_leader->all().size() == 2);
  CHECK(next_leader->all()[0].checkpoint_id == 2);
  CHECK(next_leader->latest()->checkpoint_id == 3);

  // Job graphs: still there, still owned, and the watch still reports others' graphs.
  auto all = graphs->recover_all();
  REQUIRE(all.graphs.size() == 1);
  CHECK(all.graphs[0].graph.job_id == job_a);
  graphs->put(test::make_job_graph(job_a, 2));
  other->put(test::make_job_graph(job_b, 1));
  CHECK(testing::eventually([&] { return listener.added(job_b) == 1; }));
  CHECK(listener.added(job_a) == 0);
  CHECK(listener.removed(job_a) == 0);
  CHECK(results.contains(testing::job_id("finished-job")));

  CHECK(test::dangling_pointers(*env.client(), "/checkpoints/job", *env.storage).empty());
  CHECK(test::dangling_pointers(*env.client(), "/jobgraphs", *env.storage).empty());
  graphs->stop();
}

TEST_CASE("counter contract: works again after the real server is stopped and started") {
  test::restartable_zk_env env;
  auto a = env.counter(testing::job_id("job"));
  auto b = env.counter(testing::job_id("job"));
  a->start();
  b->start();
  CHECK(a->get_and_increment() == 1);
  for (int cycle = 0; cycle < 2; ++cycle) {
    env.server.stop();
    REQUIRE(testing::eventually([&] {
      return env.client()->state() == zk::connection_state::suspended;
    }));
    CHECK_THROWS_AS(a->get_and_increment(), store_error);
    env.server.start();
    REQUIRE(testing::eventually([&] { return connected(*env.client()); },
                             std::chrono::seconds{20}));
    CHECK(b->get_and_increment() == 2 + 2 * cycle);
    CHECK(a->get_and_increment() == 3 + 2 * cycle);
  }
}
