// Contract suite of the ZooKeeper submitted_job_graph_store (reference §5.4, §9 scenarios 6, 7,
// 23): put/recover/replace/remove, foreign graphs refused, two stores racing with listeners,
// corrupt entries isolated per job, the watch re-armed after the session was renewed.
#include <doctest/doctest.h>

#include <filesystem>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "stores/zookeeper/zk_reconnecting_client.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;
namespace fs = std::filesystem;

#define JOB_GRAPH_ENVS test::fake_zk_env, test::real_zk_env

namespace {

class recording_listener : public job_graph_listener {
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
  int total_added() {
    std::lock_guard<std::mutex> guard{mutex_};
    int n = 0;
    for (auto& [id, count] : added_)
      n += count;
    return n;
  }
  int total_removed() {
    std::lock_guard<std::mutex> guard{mutex_};
    int n = 0;
    for (auto& [id, count] : removed_)
      n += count;
    return n;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, int> added_;
  std::map<std::string, int> removed_;
};

store_error::kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const store_error& e) {
    return e.which();
  }
  FAIL("no store_error thrown");
  return store_error::kind::io;
}

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

const std::string job_a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string job_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string job_c = "cccccccccccccccccccccccccccccccc";

}  // namespace

TEST_CASE_TEMPLATE("job graph store contract: put, recover, replace, remove", Env,
                   JOB_GRAPH_ENVS) {
  Env env;
  recording_listener listener;
  auto store = env.job_graph_store();
  store->start(&listener);
  CHECK(store->recover_all().graphs.empty());
  CHECK_FALSE(store->recover(job_a));

  store->put(test::make_job_graph(job_a, 100, "first"));
  auto all = store->recover_all();
  REQUIRE(all.graphs.size() == 1);
  CHECK(all.failures.empty());
  CHECK(all.graphs[0].graph.job_id == job_a);
  CHECK(all.graphs[0].graph.name == "first");
  CHECK(all.graphs[0].submitted_ms == 100);
  REQUIRE(all.graphs[0].graph.vertices.size() == 2);
  CHECK(all.graphs[0].graph.vertices[0].params_json == "{\"to\":100}");
  CHECK(all.graphs[0].graph.edges[0].part == partitioning::rebalance);

  // The same job id replaces the graph: still one, updated, one file.
  store->put(test::make_job_graph(job_a, 200, "second"));
  all = store->recover_all();
  REQUIRE(all.graphs.size() == 1);
  CHECK(all.graphs[0].submitted_ms == 200);
  CHECK(all.graphs[0].graph.name == "second");
  CHECK(env.files() == 1);
  CHECK(store->recover(job_a)->graph.name == "second");
  CHECK(store->job_ids() == std::vector<std::string>{job_a});

  store->remove(job_a);
  CHECK(store->recover_all().graphs.empty());
  CHECK_FALSE(store->recover(job_a));
  CHECK(env.files() == 0);
  store->remove(job_a);  // a second remove is a no-op
  store->remove(job_b);  // so is removing an unknown id

  // Own writes never notify; make sure the watch has seen all of them before checking.
  auto probe = env.job_graph_store(env.new_client());
  probe->put(test::make_job_graph(job_c));
  CHECK(testing::eventually([&] { return listener.added(job_c) == 1; }));
  CHECK(listener.total_added() == 1);
  CHECK(listener.total_removed() == 0);
  store->stop();
}

TEST_CASE_TEMPLATE("job graph store contract: a graph owned by another JobManager is refused",
                   Env, JOB_GRAPH_ENVS) {
  Env env;
  auto first = env.job_graph_store();
  auto second = env.job_graph_store(env.new_client());
  first->put(test::make_job_graph(job_a, 1, "mine"));
  CHECK(kind_of([&] { second->put(test::make_job_graph(job_a, 2, "theirs")); })
        == store_error::kind::conflict);
  CHECK(what_of([&] { second->put(test::make_job_graph(job_a, 2, "theirs")); }).find(job_a)
        != std::string::npos);
  second->remove(job_a);  // not owned: a no-op
  CHECK(first->recover(job_a)->graph.name == "mine");
  CHECK(env.files() == 1);  // the refused graphs left no files

  // Recovering makes it owned: now the second one may replace and remove it.
  REQUIRE(second->recover(job_a));
  second->put(test::make_job_graph(job_a, 3, "taken over"));
  CHECK(first->recover(job_a)->graph.name == "taken over");
  second->remove(job_a);
  CHECK(first->job_ids().empty());
}

TEST_CASE_TEMPLATE("job graph store contract: two stores racing notify each other once", Env,
                   JOB_GRAPH_ENVS) {
  Env env;
  recording_listener listener_a;
  recording_listener listener_b;
  auto a = env.job_graph_store();
  auto b = env.job_graph_store(env.new_client());
  a->start(&listener_a);
  b->start(&listener_b);

  a->put(test::make_job_graph(job_a));
  CHECK(testing::eventually([&] { return listener_b.added(job_a) == 1; }));
  b->put(test::make_job_graph(job_b));
  CHECK(testing::eventually([&] { return listener_a.added(job_b) == 1; }));

  // B takes over A's graph and removes it: A hears of the removal of its own graph.
  REQUIRE(b->recover(job_a));
  b->remove(job_a);
  CHECK(testing::eventually([&] { return listener_a.removed(job_a) == 1; }));

  // A later change proves that everything before it was seen, exactly once.
  a->put(test::make_job_graph(job_c));
  CHECK(testing::eventually([&] { return listener_b.added(job_c) == 1; }));
  CHECK(listener_a.added(job_a) == 0);
  CHECK(listener_a.added(job_b) == 1);
  CHECK(listener_a.removed(job_a) == 1);
  CHECK(listener_a.total_removed() == 1);
  CHECK(listener_b.added(job_a) == 1);
  CHECK(listener_b.added(job_b) == 0);
  CHECK(listener_b.total_removed() == 0);  // its own remove never notifies
  // A lost ownership with the removal: a graph of that id put by someone else is not A's.
  CHECK(a->owned_job_ids().count(job_a) == 0);
}

TEST_CASE_TEMPLATE("job graph store contract: the same new job put by two stores at once", Env,
                   JOB_GRAPH_ENVS) {
  Env env;
  auto a = env.job_graph_store();
  auto b = env.job_graph_store(env.new_client());
  std::atomic<int> ok{0};
  std::atomic<int> conflicts{0};
  auto race = [&](zk_submitted_job_graph_store& store, const std::string& name) {
    try {
      store.put(test::make_job_graph(job_a, 1, name));
      ++ok;
    } catch (const store_error& e) {
      CHECK(e.which() == store_error::kind::conflict);
      ++conflicts;
    }
  };
  std::thread ta{[&] { race(*a, "a"); }};
  std::thread tb{[&] { race(*b, "b"); }};
  ta.join();
  tb.join();
  CHECK(ok == 1);
  CHECK(conflicts == 1);
  CHECK(env.files() == 1);
  CHECK(test::dangling_pointers(*env.client(), env.jobgraphs_path, *env.storage).empty());
}

TEST_CASE_TEMPLATE("job graph store contract: a corrupt entry is isolated from the others", Env,
                   JOB_GRAPH_ENVS) {
  Env env;
  auto writer = env.job_graph_store();
  for (auto& id : {job_a, job_b, job_c})
    writer->put(test::make_job_graph(id));
  auto b_file = decode<state_handle>(env.client()->get("/jobgraphs/" + job_b)->data);
  test::flip_byte(b_file.path, b_file.size - 1);
  env.client()->set("/jobgraphs/" + job_c, "not a handle", -1);

  auto reader = env.job_graph_store(env.new_client());
  auto all = reader->recover_all();
  REQUIRE(all.graphs.size() == 1);
  CHECK(all.graphs[0].graph.job_id == job_a);
  REQUIRE(all.failures.size() == 2);
  CHECK(all.failures[0].first == job_b);
  CHECK(all.failures[0].second.find("checksum") != std::string::npos);
  CHECK(all.failures[1].first == job_c);
  CHECK(kind_of([&] { reader->recover(job_b); }) == store_error::kind::corrupt);
  // Only the readable graph became owned.
  CHECK(reader->owned_job_ids() == std::set<std::string>{job_a});
}

TEST_CASE_TEMPLATE("job graph store contract: stop keeps the graphs and silences the listener",
                   Env, JOB_GRAPH_ENVS) {
  Env env;
  recording_listener listener;
  auto store = env.job_graph_store();
  store->start(&listener);
  store->put(test::make_job_graph(job_a));
  store->stop();
  store->stop();  // idempotent
  auto other = env.job_graph_store(env.new_client());
  other->put(test::make_job_graph(job_b));
  CHECK(other->job_ids() == std::vector<std::string>{job_a, job_b});
  // Restarting takes the current graphs as known: no notification for them.
  store->start(&listener);
  other->put(test::make_job_graph(job_c));
  CHECK(testing::eventually([&] { return listener.added(job_c) == 1; }));
  CHECK(listener.added(job_b) == 0);
  CHECK(kind_of([&] { store->put(test::make_job_graph("a/b")); })
        == store_error::kind::invalid_argument);
}

TEST_CASE("job graph store: the watch survives a suspended connection (fake ZooKeeper)") {
  test::fake_zk_env env;
  recording_listener listener;
  auto session = env.new_fake_client();
  auto store = env.job_graph_store(session);
  store->start(&listener);
  auto other = env.job_graph_store(env.new_client());
  session->suspend();
  CHECK(kind_of([&] { store->put(test::make_job_graph(job_a)); })
        == store_error::kind::unavailable);
  other->put(test::make_job_graph(job_b));
  session->reconnect();
  CHECK(testing::eventually([&] { return listener.added(job_b) == 1; }));
  store->put(test::make_job_graph(job_a));
  other->put(test::make_job_graph(job_c));
  CHECK(testing::eventually([&] { return listener.added(job_c) == 1; }));
  CHECK(listener.added(job_a) == 0);
  CHECK(test::dangling_pointers(*env.client(), env.jobgraphs_path, *env.storage).empty());
}

TEST_CASE_TEMPLATE("job graph store contract: a listener may call back into the store", Env,
                   JOB_GRAPH_ENVS) {
  Env env;
  auto store = env.job_graph_store();
  // Recovers every graph it hears of, from inside the callback (no lock is held then).
  struct recovering_listener : job_graph_listener {
    zk_submitted_job_graph_store* store = nullptr;
    std::atomic<int> recovered{0};
    void on_added_job_graph(const std::string& job_id) override {
      if (store->recover(job_id))
        ++recovered;
    }
    void on_removed_job_graph(const std::string&) override {}
  } listener;
  listener.store = store.get();
  store->start(&listener);
  auto other = env.job_graph_store(env.new_client());
  other->put(test::make_job_graph(job_a));
  other->put(test::make_job_graph(job_b));
  CHECK(testing::eventually([&] { return listener.recovered == 2; }));
  CHECK(store->owned_job_ids() == std::set<std::string>{job_a, job_b});
  store->stop();
}

// The stores share a reconnecting client: an expired session is renewed, and the renewal must
// re-arm the job graph watch, or graphs that a standby adds are noticed only after a restart.

TEST_CASE("job graph store: after the session expired, the renewed session re-arms the watch "
          "and reports what changed meanwhile (fake ZooKeeper)") {
  test::fake_zk_env env;
  std::shared_ptr<zk::fake_zk_client> first;
  std::atomic<int> sessions{0};
  std::promise<void> renewal_allowed;
  auto allowed = renewal_allowed.get_future().share();
  // The second session waits until the test has changed the graphs behind the dead one.
  auto session = std::make_shared<zk::reconnecting_client>([&]() -> zk::client_ptr {
    if (sessions++ == 0)
      return first = env.new_fake_client();
    allowed.wait();
    return env.new_fake_client();
  });
  recording_listener listener;
  auto store = env.job_graph_store(session);
  store->start(&listener);
  store->put(test::make_job_graph(job_a));
  auto other = env.job_graph_store(env.new_client());
  other->put(test::make_job_graph(job_b));
  REQUIRE(testing::eventually([&] { return listener.added(job_b) == 1; }));

  first->expire_session();
  // Nobody calls the store: the expiry alone must make it renew the session.
  REQUIRE(testing::eventually([&] { return sessions == 2; }));
  CHECK(other->recover(job_a));  // now the other store owns job a and removes it
  other->remove(job_a);
  other->put(test::make_job_graph(job_c));
  renewal_allowed.set_value();
  CHECK(testing::eventually([&] { return listener.added(job_c) == 1; }));
  CHECK(testing::eventually([&] { return listener.removed(job_a) == 1; }));
  CHECK(session->session_id() != first->session_id());

  // The watch is armed on the new session.
  const std::string job_d = "dddddddddddddddddddddddddddddddd";
  other->put(test::make_job_graph(job_d));
  CHECK(testing::eventually([&] { return listener.added(job_d) == 1; }));
  CHECK(listener.added(job_b) == 1);  // known graphs are not reported again
  CHECK(listener.total_added() == 3);
  CHECK(listener.total_removed() == 1);
  store->stop();
}

TEST_CASE("job graph store: a graph added after the session was killed is noticed on the "
          "renewed session (real ZooKeeper)") {
  test::real_zk_env env;
  auto quorum = testing::zk_test_server::shared().quorum();
  std::shared_ptr<zk::real_zk_client> first;
  std::atomic<int> sessions{0};
  auto session = std::make_shared<zk::reconnecting_client>([&]() -> zk::client_ptr {
    auto c = std::static_pointer_cast<zk::real_zk_client>(test::connect_real(quorum, env.root));
    if (sessions++ == 0)
      first = c;
    return c;
  });
  recording_listener listener;
  auto store = env.job_graph_store(session);
  store->start(&listener);
  auto other = env.job_graph_store(env.new_client());
  other->put(test::make_job_graph(job_a));
  REQUIRE(testing::eventually([&] { return listener.added(job_a) == 1; }));
  auto old_session = session->session_id();

  // ZooKeeper's trick: a second handle on the same session closes it, expiring the first.
  first->kill_session_for_testing();
  other->put(test::make_job_graph(job_b));
  CHECK(testing::eventually([&] { return listener.added(job_b) == 1; }));
  CHECK(sessions == 2);
  CHECK(session->session_id() != old_session);
  other->put(test::make_job_graph(job_c));
  CHECK(testing::eventually([&] { return listener.added(job_c) == 1; }));
  CHECK(listener.added(job_a) == 1);
  store->stop();
}
