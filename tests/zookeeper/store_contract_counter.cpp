// Contract suite of checkpoint_id_counter, run on every implementation (reference §5.2, §9
// scenario 10, FLINK-14091): serial and concurrent increments, instances continuing each other,
// shutdown semantics, suspend -> unavailable -> reconnect -> works again.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <numeric>
#include <thread>

#include "tests/support/job_ids.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;

#define ALL_COUNTER_ENVS test::standalone_env, test::fake_zk_env, test::real_zk_env
#define ZK_COUNTER_ENVS test::fake_zk_env, test::real_zk_env

namespace {

/// `threads` threads, each taking `per_thread` ids from `counter_of(thread index)`, released
/// together. Returns every id taken, sorted.
std::vector<std::int64_t>
take_concurrently(int threads, int per_thread,
                  const std::function<checkpoint_id_counter&(int)>& counter_of) {
  std::vector<std::vector<std::int64_t>> taken(threads);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      ++ready;
      while (!go)
        std::this_thread::yield();
      for (int i = 0; i < per_thread; ++i)
        taken[t].push_back(counter_of(t).get_and_increment());
    });
  while (ready < threads)
    std::this_thread::yield();
  go = true;
  for (auto& w : workers)
    w.join();
  std::vector<std::int64_t> all;
  for (auto& v : taken) {
    // Each thread sees its own ids strictly increasing.
    CHECK(std::is_sorted(v.begin(), v.end()));
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<std::int64_t> one_to(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1);
  return v;
}

store_error::kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const store_error& e) {
    return e.which();
  }
  FAIL("no store_error thrown");
  return store_error::kind::io;
}

}  // namespace

TEST_CASE_TEMPLATE("counter contract: serial increments return 1, 2, 3, 4", Env,
                   ALL_COUNTER_ENVS) {
  Env env;
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  CHECK(counter->get() == 1);
  for (std::int64_t expected = 1; expected <= 4; ++expected)
    CHECK(counter->get_and_increment() == expected);
  CHECK(counter->get() == 5);
  counter->set_count(42);
  CHECK(counter->get_and_increment() == 42);
  CHECK(counter->get() == 43);
}

TEST_CASE_TEMPLATE("counter contract: 8 threads x 128 on one instance give exactly 1..1024", Env,
                   ALL_COUNTER_ENVS) {
  Env env;
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  auto all = take_concurrently(8, 128, [&](int) -> checkpoint_id_counter& { return *counter; });
  CHECK(all == one_to(1024));
  CHECK(counter->get_and_increment() == 1025);
}

TEST_CASE_TEMPLATE("counter contract: 8 instances x 128 give exactly 1..1024", Env,
                   ZK_COUNTER_ENVS) {
  Env env;
  // Half share the environment's session, half have sessions of their own (as separate
  // JobManager processes would).
  std::vector<std::unique_ptr<checkpoint_id_counter>> counters;
  for (int i = 0; i < 8; ++i) {
    if (i % 2 == 0)
      counters.push_back(env.counter(testing::job_id("job")));
    else
      counters.push_back(std::make_unique<zk_checkpoint_id_counter>(
        env.new_client(), env.counter_path, testing::job_id("job"), test::fast_retry()));
    counters.back()->start();
  }
  auto all = take_concurrently(8, 128, [&](int t) -> checkpoint_id_counter& {
    return *counters[t];
  });
  CHECK(all == one_to(1024));
  CHECK(counters[3]->get_and_increment() == 1025);
}

TEST_CASE_TEMPLATE("counter contract: a new instance continues where the old one stopped", Env,
                   ZK_COUNTER_ENVS) {
  Env env;
  auto old_leader = env.counter(testing::job_id("job"));
  old_leader->start();
  for (int i = 0; i < 5; ++i)
    old_leader->get_and_increment();
  old_leader->shutdown(job_state::suspended);  // leadership lost: the counter stays

  auto new_leader = env.counter(testing::job_id("job"));
  new_leader->start();  // does not reset an existing counter
  CHECK(new_leader->get_and_increment() == 6);
  // Two live instances interleave without repeating an id.
  auto other = env.counter(testing::job_id("job"));
  other->start();
  CHECK(other->get_and_increment() == 7);
  CHECK(new_leader->get_and_increment() == 8);
  // Another job has its own counter.
  auto job2 = env.counter(testing::job_id("job2"));
  job2->start();
  CHECK(job2->get_and_increment() == 1);
}

TEST_CASE_TEMPLATE("counter contract: a globally terminal shutdown deletes the counter", Env,
                   ZK_COUNTER_ENVS) {
  Env env;
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  counter->get_and_increment();
  counter->shutdown(job_state::finished);
  CHECK_FALSE(env.client()->exists(env.counter_path + "/" + testing::job_id("job")));
  CHECK(kind_of([&] { counter->get_and_increment(); }) == store_error::kind::invalid_state);
  auto again = env.counter(testing::job_id("job"));
  again->start();
  CHECK(again->get_and_increment() == 1);
}

TEST_CASE_TEMPLATE("counter contract: bad values are refused or reported", Env, ZK_COUNTER_ENVS) {
  Env env;
  auto counter = env.counter(testing::job_id("job"));
  CHECK(kind_of([&] { counter->get_and_increment(); }) == store_error::kind::invalid_state);
  counter->start();
  CHECK(kind_of([&] { counter->set_count(0); }) == store_error::kind::invalid_argument);
  env.client()->set(env.counter_path + "/" + testing::job_id("job"), "twelve", -1);
  CHECK(kind_of([&] { counter->get_and_increment(); }) == store_error::kind::corrupt);
  CHECK(kind_of([&] { env.counter("a/b"); }) == store_error::kind::invalid_argument);
}

TEST_CASE("counter contract: suspended -> unavailable at once -> reconnected -> works again "
          "(fake ZooKeeper)") {
  test::fake_zk_env env;
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  CHECK(counter->get_and_increment() == 1);
  for (int cycle = 0; cycle < 3; ++cycle) {
    env.fake().suspend();
    auto before = std::chrono::steady_clock::now();
    CHECK(kind_of([&] { counter->get_and_increment(); }) == store_error::kind::unavailable);
    CHECK(kind_of([&] { counter->get(); }) == store_error::kind::unavailable);
    // "At once": no retry loop runs while suspended (a generous bound, not a speed test).
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds{5});
    env.fake().reconnect();
    CHECK(counter->get_and_increment() == 2 + cycle);
  }
  env.fake().expire_session();
  CHECK(kind_of([&] { counter->get_and_increment(); }) == store_error::kind::unavailable);
}

TEST_CASE("counter contract: increments keep working while other clients come and go "
          "(fake ZooKeeper)") {
  test::fake_zk_env env;
  auto counter = env.counter(testing::job_id("job"));
  counter->start();
  std::vector<std::int64_t> ids;
  std::atomic<bool> stop{false};
  std::thread other{[&] {
    auto client = env.new_fake_client();
    zk_checkpoint_id_counter theirs{client, env.counter_path, testing::job_id("job"), test::fast_retry()};
    for (int i = 0; !stop && i < 200; ++i) {
      client->suspend();
      client->reconnect();
      theirs.get_and_increment();
    }
  }};
  for (int i = 0; i < 200; ++i)
    ids.push_back(counter->get_and_increment());
  stop = true;
  other.join();
  CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) == ids.end());
}
