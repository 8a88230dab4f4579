// Faults injected before and after every ZooKeeper step of add / replace / remove (reference §9
// scenarios 1-3): whatever fails, no znode points to a missing or corrupt file, and data that
// was confirmed is still there. Runs on the fake server through the fault injector, with and
// without the retry policy (without it, every "after" fault reaches the store's own checks).
#include <doctest/doctest.h>

#include <map>
#include <random>

#include "tests/support/job_ids.hpp"
#include "stores/zookeeper/zk_fault_injector.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;

namespace {

using handle_store = zk_state_handle_store<completed_checkpoint>;

const std::vector<zk::call_kind> all_kinds = {
  zk::call_kind::create, zk::call_kind::create_recursive, zk::call_kind::get,
  zk::call_kind::set,    zk::call_kind::remove,           zk::call_kind::exists,
  zk::call_kind::children, zk::call_kind::multi};

zk::retry_policy no_retry() {
  return zk::retry_policy{1, std::chrono::milliseconds{1}, std::chrono::milliseconds{1}};
}

struct fault_env {
  test::fake_zk_env env;
  std::shared_ptr<zk::fault_injecting_zk_client> faulty;
  std::unique_ptr<handle_store> store;  // through the injector
  std::unique_ptr<handle_store> clean;  // same server, no faults: to set up and to check

  fault_env(zk::retry_policy retry) {
    faulty = std::make_shared<zk::fault_injecting_zk_client>(env.new_client(), 7);
    store = std::make_unique<handle_store>(faulty, "/entries", env.storage, "entry", retry);
    clean = std::make_unique<handle_store>(env.client(), "/entries", env.storage, "entry",
                                           test::fast_retry());
    clean->ensure_root();
  }
  std::vector<std::string> dangling() {
    return test::dangling_pointers(*env.client(), "/entries", *env.storage);
  }
  std::vector<std::string> orphans() {
    return test::orphan_files(*env.client(), {"/entries"}, *env.storage);
  }
  /// The id held by `name`, -1 if absent. Throws if unreadable.
  std::int64_t value_of(const std::string& name) {
    if (clean->exists(name) < 0)
      return -1;
    return clean->get(name).checkpoint_id;
  }
};

std::string describe(zk::call_kind kind, std::uint64_t nth, zk::fault_timing timing,
                     int attempts) {
  return std::string{zk::to_string(kind)} + " #" + std::to_string(nth) + " fails "
         + zk::to_string(timing) + ", " + std::to_string(attempts) + " attempt(s)";
}

/// Runs `op` once for every planned single fault; `check(env, succeeded)` verifies the outcome.
void for_every_fault(const std::function<void(fault_env&)>& setup,
                     const std::function<void(fault_env&)>& op,
                     const std::function<void(fault_env&, bool)>& check) {
  for (int attempts : {1, 3}) {
    for (auto kind : all_kinds) {
      for (std::uint64_t nth : {1, 2, 3}) {
        for (auto timing : {zk::fault_timing::before, zk::fault_timing::after}) {
          CAPTURE(describe(kind, nth, timing, attempts));
          fault_env f{attempts == 1 ? no_retry() : test::fast_retry()};
          setup(f);
          f.faulty->fail_call(kind, nth, timing);
          bool succeeded = true;
          try {
            op(f);
          } catch (const store_error& e) {
            succeeded = false;
            CHECK(e.which() == store_error::kind::unavailable);
          }
          CHECK(f.dangling().empty());
          check(f, succeeded);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("faults in add: never a dangling znode, a confirmed add is readable") {
  for_every_fault([](fault_env&) {},
                  [](fault_env& f) { f.store->add("a", test::make_checkpoint("j", 1)); },
                  [](fault_env& f, bool succeeded) {
                    auto value = f.value_of("a");
                    if (succeeded)
                      CHECK(value == 1);
                    else
                      CHECK((value == -1 || value == 1));
                    // A failed add leaves at most one orphan file (when it could not check).
                    CHECK(f.orphans().size() <= 1);
                    if (value == -1)
                      CHECK(test::list_files(f.env.storage->directory()).size() <= 1);
                  });
}

TEST_CASE("faults in replace: the old or the new value, never a dangling znode") {
  for_every_fault(
    [](fault_env& f) { f.clean->add("a", test::make_checkpoint("j", 1)); },
    [](fault_env& f) { f.store->replace("a", 0, test::make_checkpoint("j", 2)); },
    [](fault_env& f, bool succeeded) {
      auto value = f.value_of("a");
      if (succeeded)
        CHECK(value == 2);
      else
        CHECK((value == 1 || value == 2));
      CHECK(f.orphans().size() <= 1);
    });
}

TEST_CASE("faults in remove_and_discard: the znode goes first, the file only after") {
  for_every_fault(
    [](fault_env& f) {
      f.clean->add("a", test::make_checkpoint("j", 1));
      f.clean->add("b", test::make_checkpoint("j", 2));
    },
    [](fault_env& f) { f.store->remove_and_discard("a"); },
    [](fault_env& f, bool succeeded) {
      auto value = f.value_of("a");
      if (succeeded)
        CHECK(value == -1);
      else
        CHECK((value == -1 || value == 1));
      CHECK(f.value_of("b") == 2);  // untouched
      CHECK(f.orphans().size() <= 1);
    });
}

TEST_CASE("faults in add_subsuming: the new entry and the old one never both missing") {
  for_every_fault(
    [](fault_env& f) { f.clean->add("a", test::make_checkpoint("j", 1)); },
    [](fault_env& f) {
      auto old = f.clean->get_entry("a");
      f.store->core().add_subsuming("b", record_type::completed_checkpoint,
                                    encode(test::make_checkpoint("j", 2)),
                                    {subsumed_entry{"a", old.version, old.handle}});
    },
    [](fault_env& f, bool succeeded) {
      auto a = f.value_of("a");
      auto b = f.value_of("b");
      if (succeeded)
        CHECK(b == 2);
      else
        CHECK((b == 2 || a == 1));
      CHECK((a == -1 || a == 1));
      CHECK(f.orphans().size() <= 1);
    });
}

TEST_CASE("faults in remove: the file stays") {
  for_every_fault([](fault_env& f) { f.clean->add("a", test::make_checkpoint("j", 1)); },
                  [](fault_env& f) { f.store->remove("a"); },
                  [](fault_env& f, bool succeeded) {
                    if (succeeded)
                      CHECK(f.value_of("a") == -1);
                    CHECK(test::list_files(f.env.storage->directory()).size() == 1);
                  });
}

TEST_CASE("random faults under a long mix of operations keep every confirmed entry") {
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    fault_env f{no_retry()};
    f.faulty = std::make_shared<zk::fault_injecting_zk_client>(f.env.new_client(), seed);
    f.store = std::make_unique<handle_store>(f.faulty, "/entries", f.env.storage, "entry",
                                             no_retry());
    f.faulty->set_fault_probability(0.25, 0.5);
    std::mt19937_64 random{seed};
    // What is known for sure: name -> value confirmed by a successful call.
    std::map<std::string, std::int64_t> confirmed;
    std::int64_t next_value = 1;
    for (int step = 0; step < 300; ++step) {
      auto name = "e" + std::to_string(random() % 6);
      auto value = next_value++;
      try {
        switch (random() % 3) {
          case 0:
            f.store->add(name, test::make_checkpoint("j", value));
            confirmed[name] = value;
            break;
          case 1:
            f.store->replace(name, -1, test::make_checkpoint("j", value));
            confirmed[name] = value;
            break;
          default:
            f.store->remove_and_discard(name);
            confirmed[name] = -1;
            break;
        }
      } catch (const store_error&) {
        confirmed.erase(name);  // unknown now: either value is fine
      }
      REQUIRE(f.dangling().empty());
    }
    for (auto& [name, value] : confirmed)
      CHECK(f.value_of(name) == value);
    std::vector<unreadable_entry> bad;
    f.clean->get_all(&bad);
    CHECK(bad.empty());
    CHECK(!f.faulty->injected().empty());
  }
}

TEST_CASE("random faults: checkpoint ids stay unique and increasing") {
  test::fake_zk_env env;
  auto faulty = std::make_shared<zk::fault_injecting_zk_client>(env.new_client(), 11);
  zk_checkpoint_id_counter counter{faulty, env.counter_path, testing::job_id("job"), no_retry()};
  zk_checkpoint_id_counter clean{env.client(), env.counter_path, testing::job_id("job"), test::fast_retry()};
  clean.start();
  faulty->set_fault_probability(0.3, 0.5);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 300; ++i) {
    try {
      ids.push_back(counter.get_and_increment());
    } catch (const store_error& e) {
      CHECK(e.which() == store_error::kind::unavailable);
    }
  }
  CHECK(ids.size() > 50);
  CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) == ids.end());
  CHECK(clean.get() > ids.back());
}

TEST_CASE("random faults: the checkpoint store never loses a confirmed checkpoint") {
  for (std::uint64_t seed : {5, 6}) {
    CAPTURE(seed);
    test::fake_zk_env env;
    auto faulty = std::make_shared<zk::fault_injecting_zk_client>(env.new_client(), seed);
    zk_completed_checkpoint_store store{faulty, env.checkpoints_path, testing::job_id("job"), 2, env.storage,
                                        no_retry()};
    faulty->set_fault_probability(0.2, 0.5);
    std::int64_t last_confirmed = 0;
    for (std::int64_t id = 1; id <= 60; ++id) {
      try {
        store.add(test::make_checkpoint(testing::job_id("job"), id));
        last_confirmed = id;
      } catch (const store_error& e) {
        CAPTURE(e.what());
        CHECK(e.which() == store_error::kind::unavailable);
      }
      REQUIRE(test::dangling_pointers(*env.client(), "/checkpoints/job", *env.storage).empty());
    }
    REQUIRE(last_confirmed > 0);
    // A new leader (no faults) finds the last confirmed checkpoint or a newer one.
    auto fresh = env.checkpoint_store(testing::job_id("job"), 2);
    fresh->recover();
    REQUIRE(fresh->latest());
    CHECK(fresh->latest()->checkpoint_id >= last_confirmed);
  }
}

TEST_CASE("random faults: job graphs put and removed under faults stay consistent") {
  test::fake_zk_env env;
  auto faulty = std::make_shared<zk::fault_injecting_zk_client>(env.new_client(), 3);
  zk_submitted_job_graph_store store{faulty, env.jobgraphs_path, env.storage, no_retry()};
  faulty->set_fault_probability(0.2, 0.5);
  std::map<std::string, std::int64_t> confirmed;  // job -> submitted_ms, -1: removed
  std::mt19937_64 random{9};
  for (int step = 0; step < 200; ++step) {
    auto id = std::string(32, "0123"[random() % 4]);
    try {
      if (random() % 3 != 0) {
        store.put(test::make_job_graph(id, step));
        confirmed[id] = step;
      } else {
        store.remove(id);
        confirmed[id] = -1;
      }
    } catch (const store_error& e) {
      CHECK((e.which() == store_error::kind::unavailable
             || e.which() == store_error::kind::conflict));
      confirmed.erase(id);
    }
    REQUIRE(test::dangling_pointers(*env.client(), env.jobgraphs_path, *env.storage).empty());
  }
  faulty->clear_faults();
  auto reader = env.job_graph_store(env.new_client());
  for (auto& [id, submitted] : confirmed) {
    auto graph = reader->recover(id);
    if (submitted < 0)
      CHECK_FALSE(graph);
    else
      CHECK((graph && graph->submitted_ms == submitted));
  }
}

TEST_CASE("a job graph put whose outcome was unknown is claimed by the next put, not refused") {
  test::fake_zk_env env;
  auto faulty = std::make_shared<zk::fault_injecting_zk_client>(env.new_client(), 1);
  zk_submitted_job_graph_store store{faulty, env.jobgraphs_path, env.storage, no_retry()};
  const std::string job = "0123456789abcdef0123456789abcdef";
  env.client()->create_recursive(env.jobgraphs_path);
  // The create happens but reports connection loss, and the check that follows fails too.
  faulty->fail_next(zk::call_kind::create, zk::fault_timing::after);
  faulty->fail_call(zk::call_kind::get, faulty->calls(zk::call_kind::get) + 1,
                    zk::fault_timing::before);
  CHECK_THROWS_AS(store.put(test::make_job_graph(job, 1, "first try")), store_error);
  REQUIRE(env.client()->exists("/jobgraphs/" + job));
  CHECK(store.owned_job_ids().empty());
  // Retrying the submission finds its own graph and replaces it.
  store.put(test::make_job_graph(job, 2, "second try"));
  CHECK(store.owned_job_ids() == std::set<std::string>{job});
  CHECK(store.recover(job)->graph.name == "second try");
  CHECK(env.files() == 1);
  // Another JobManager's graph with different content is still refused.
  zk_submitted_job_graph_store other{env.new_client(), env.jobgraphs_path, env.storage,
                                     no_retry()};
  CHECK_THROWS_AS(other.put(test::make_job_graph(job, 3, "someone else")), store_error);
}
