// Contract suite of completed_checkpoint_store, run on every implementation (reference §5.1 and
// §9 scenarios 8, 9, 23): retention, ordering across digit boundaries, recover twice, corrupt
// entries skipped, shutdown semantics.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/support/job_ids.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;
namespace fs = std::filesystem;

#define ALL_CHECKPOINT_ENVS test::standalone_env, test::fake_zk_env, test::real_zk_env
#define ZK_CHECKPOINT_ENVS test::fake_zk_env, test::real_zk_env

namespace {

std::vector<std::int64_t> ids_of(const std::vector<completed_checkpoint>& cps) {
  std::vector<std::int64_t> ids;
  for (auto& cp : cps)
    ids.push_back(cp.checkpoint_id);
  return ids;
}

using ids = std::vector<std::int64_t>;

template <class Env>
std::vector<std::string> znodes(Env& env, const std::string& job) {
  try {
    auto names = env.client()->children(env.checkpoints_path + "/" + job).names;
    std::sort(names.begin(), names.end());
    return names;
  } catch (const zk::zk_error&) {
    return {};
  }
}

}  // namespace

TEST_CASE_TEMPLATE("checkpoint store contract: retaining fewer than one is refused", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  for (int retained : {0, -1}) {
    try {
      env.checkpoint_store(testing::job_id("job"), retained);
      FAIL("no error for retained = " << retained);
    } catch (const store_error& e) {
      CHECK(e.which() == store_error::kind::invalid_argument);
    }
  }
}

TEST_CASE_TEMPLATE("checkpoint store contract: empty, add, latest and all", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 4);
  store->recover();
  CHECK_FALSE(store->latest());
  CHECK(store->all().empty());
  CHECK(store->size() == 0);
  CHECK(store->max_retained() == 4);
  for (int i = 1; i <= 4; ++i) {
    store->add(test::make_checkpoint(testing::job_id("job"), i));
    CHECK(store->size() == static_cast<std::size_t>(i));
    REQUIRE(store->latest());
    CHECK(store->latest()->checkpoint_id == i);
  }
  auto latest = *store->latest();
  CHECK(latest.job_id == testing::job_id("job"));
  CHECK(latest.timestamp_ms == 1004);
  REQUIRE(latest.states.size() == 2);
  CHECK(latest.states[1].bytes == "sink-state-4");
  CHECK(ids_of(store->all()) == ids{1, 2, 3, 4});
}

TEST_CASE_TEMPLATE("checkpoint store contract: adding beyond the limit subsumes the oldest", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 1);
  for (int i = 1; i <= 4; ++i) {
    store->add(test::make_checkpoint(testing::job_id("job"), i));
    CHECK(store->size() == 1);
    CHECK(store->latest()->checkpoint_id == i);
  }
  auto three = env.checkpoint_store(testing::job_id("job3"), 3);
  for (int i = 1; i <= 5; ++i)
    three->add(test::make_checkpoint(testing::job_id("job3"), i));
  CHECK(ids_of(three->all()) == ids{3, 4, 5});
  if constexpr (Env::durable) {
    CHECK(znodes(env, testing::job_id("job")) == std::vector<std::string>{"0000000000000000004"});
    CHECK(znodes(env, testing::job_id("job3")).size() == 3);
    CHECK(env.files() == 4);  // subsumed files are gone
  }
}

TEST_CASE_TEMPLATE("checkpoint store contract: ids crossing digit boundaries stay in order", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 2);
  for (std::int64_t id : {8, 9, 10})
    store->add(test::make_checkpoint(testing::job_id("job"), id));
  CHECK(ids_of(store->all()) == ids{9, 10});
  CHECK(store->latest()->checkpoint_id == 10);
  for (std::int64_t id : {99, 100})
    store->add(test::make_checkpoint(testing::job_id("job"), id));
  CHECK(ids_of(store->all()) == ids{99, 100});
  CHECK(store->latest()->checkpoint_id == 100);
}

TEST_CASE_TEMPLATE("checkpoint store contract: recover twice changes nothing", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 3);
  for (int i = 1; i <= 3; ++i)
    store->add(test::make_checkpoint(testing::job_id("job"), i));
  store->recover();
  store->recover();
  CHECK(ids_of(store->all()) == ids{1, 2, 3});
  CHECK(store->size() == 3);
}

TEST_CASE_TEMPLATE("checkpoint store contract: a globally terminal shutdown discards all", Env,
                   ALL_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 3);
  for (int i = 1; i <= 3; ++i)
    store->add(test::make_checkpoint(testing::job_id("job"), i));
  store->shutdown(job_state::finished);
  CHECK(store->size() == 0);
  CHECK_FALSE(store->latest());
  if constexpr (Env::durable) {
    CHECK_FALSE(env.client()->exists(env.checkpoints_path + "/" + testing::job_id("job")));
    CHECK(env.files() == 0);
    auto again = env.checkpoint_store(testing::job_id("job"), 3);
    again->recover();
    CHECK(again->size() == 0);
    again->add(test::make_checkpoint(testing::job_id("job"), 4));  // a new run of the same job id still works
    CHECK(again->latest()->checkpoint_id == 4);
  }
}

// ---- durable implementations: what a new JobManager finds ----------------------------------

TEST_CASE_TEMPLATE("checkpoint store contract: a new instance recovers the newest checkpoints",
                   Env, ZK_CHECKPOINT_ENVS) {
  Env env;
  auto first = env.checkpoint_store(testing::job_id("job"), 3);
  for (int i = 1; i <= 3; ++i)
    first->add(test::make_checkpoint(testing::job_id("job"), i));

  auto same = env.checkpoint_store(testing::job_id("job"), 3);
  CHECK(same->size() == 0);  // nothing before recover()
  same->recover();
  CHECK(ids_of(same->all()) == ids{1, 2, 3});

  // Retaining one: recovery keeps the newest and removes the others.
  auto one = env.checkpoint_store(testing::job_id("job"), 1);
  one->recover();
  one->recover();
  CHECK(ids_of(one->all()) == ids{3});
  CHECK(znodes(env, testing::job_id("job")) == std::vector<std::string>{"0000000000000000003"});
  CHECK(env.files() == 1);
  CHECK(test::dangling_pointers(*env.client(), env.checkpoints_path + "/" + testing::job_id("job"), *env.storage)
          .empty());
}

TEST_CASE_TEMPLATE("checkpoint store contract: recovery picks the numerically highest id", Env,
                   ZK_CHECKPOINT_ENVS) {
  Env env;
  auto writer = env.checkpoint_store(testing::job_id("job"), 10);
  for (std::int64_t id : {9, 10, 99, 100})
    writer->add(test::make_checkpoint(testing::job_id("job"), id));
  auto one = env.checkpoint_store(testing::job_id("job"), 1);
  one->recover();
  REQUIRE(one->latest());
  CHECK(one->latest()->checkpoint_id == 100);
  CHECK(znodes(env, testing::job_id("job")) == std::vector<std::string>{"0000000000000000100"});
  auto two = env.checkpoint_store(testing::job_id("job"), 2);
  two->recover();
  CHECK(ids_of(two->all()) == ids{100});
}

TEST_CASE_TEMPLATE("checkpoint store contract: leadership loss keeps the checkpoints", Env,
                   ZK_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 2);
  store->add(test::make_checkpoint(testing::job_id("job"), 1));
  store->add(test::make_checkpoint(testing::job_id("job"), 2));
  store->shutdown(job_state::suspended);
  CHECK(znodes(env, testing::job_id("job")).size() == 2);
  CHECK(env.files() == 2);
  auto next_leader = env.checkpoint_store(testing::job_id("job"), 2);
  next_leader->recover();
  CHECK(ids_of(next_leader->all()) == ids{1, 2});
}

TEST_CASE_TEMPLATE("checkpoint store contract: a corrupt newest file is not fallen back past "
                   "until an operator removes it",
                   Env, ZK_CHECKPOINT_ENVS) {
  Env env;
  auto writer = env.checkpoint_store(testing::job_id("job"), 3);
  for (int i = 1; i <= 3; ++i)
    writer->add(test::make_checkpoint(testing::job_id("job"), i));
  auto path = env.checkpoints_path + "/" + testing::job_id("job") + "/" + zk_completed_checkpoint_store::node_name(3);
  auto handle = decode<state_handle>(env.client()->get(path)->data);
  test::flip_byte(handle.path, handle.size - 5);

  // Checkpoint 3 may have been committed already: restoring 2 would commit its records twice.
  auto store = env.checkpoint_store(testing::job_id("job"), 1);
  try {
    store->recover();
    FAIL("recover() fell back past the unreadable checkpoint 3");
  } catch (const store_error& e) {
    CHECK(e.which() == store_error::kind::corrupt);
    CHECK(std::string{e.what()}.find("checkpoint 3 is unreadable") != std::string::npos);
    CHECK(std::string{e.what()}.find("refusing to fall back") != std::string::npos);
  }
  CHECK(env.client()->exists(path));  // nothing deleted
  // The operator decides: the corrupt znode goes (its file is kept for inspection).
  env.client()->remove(path, -1);
  store->recover();
  REQUIRE(store->latest());
  CHECK(store->latest()->checkpoint_id == 2);
  store->recover();
  CHECK(ids_of(store->all()) == ids{2});
  // The older readable one was removed (only one is retained).
  CHECK(znodes(env, testing::job_id("job")) == std::vector<std::string>{"0000000000000000002"});
  // New checkpoints go on as usual, and a terminal shutdown removes everything.
  store->add(test::make_checkpoint(testing::job_id("job"), 4));
  CHECK(store->latest()->checkpoint_id == 4);
  store->shutdown(job_state::canceled);
  CHECK(env.files() == 0);  // the corrupt file too: an orphan once its znode was removed
  CHECK_FALSE(env.client()->exists(env.checkpoints_path + "/" + testing::job_id("job")));
}

TEST_CASE_TEMPLATE("checkpoint store contract: corrupt znodes and missing files older than a "
                   "readable checkpoint are skipped", Env,
                   ZK_CHECKPOINT_ENVS) {
  Env env;
  auto writer = env.checkpoint_store(testing::job_id("job"), 5);
  for (int i = 1; i <= 5; ++i)
    writer->add(test::make_checkpoint(testing::job_id("job"), i));
  auto node = [&](int id) {
    return env.checkpoints_path + "/" + testing::job_id("job") + "/" + zk_completed_checkpoint_store::node_name(id);
  };
  env.client()->set(node(5), "garbage", -1);
  fs::remove(decode<state_handle>(env.client()->get(node(4))->data).path);
  // A file holding another checkpoint than its name says is not used either.
  auto three = env.client()->get(node(3))->data;
  env.client()->set(node(2), three, -1);

  auto store = env.checkpoint_store(testing::job_id("job"), 2);
  CHECK_THROWS_AS(store->recover(), store_error);  // 4 and 5 are newer than every readable one
  env.client()->remove(node(5), -1);
  env.client()->remove(node(4), -1);
  store->recover();
  CHECK(ids_of(store->all()) == ids{1, 3});
  CHECK(env.client()->exists(node(2)));  // pointing at 3's file: left for inspection
}

TEST_CASE_TEMPLATE("checkpoint store contract: a fenced add lands only while the leader's "
                   "latch node exists (issue 9, defect 5)",
                   Env, ZK_CHECKPOINT_ENVS) {
  Env env;
  auto leader = env.client();
  // Stands in for the leader's ephemeral latch node (leader_election_service::fencing_node).
  leader->create_recursive("/latch");
  auto latch = leader->create("/latch/latch-test-", "", zk::create_mode::persistent_sequential);
  auto store = env.checkpoint_store(testing::job_id("fenced"), 2);
  store->set_write_fence([latch] { return latch; });
  store->add(test::make_checkpoint(testing::job_id("fenced"), 1));
  store->add(test::make_checkpoint(testing::job_id("fenced"), 2));
  store->add(test::make_checkpoint(testing::job_id("fenced"), 3));  // subsumes 1
  CHECK(env.files() == 2);
  // The leadership is gone (the latch vanished with its session); a write queued before, or
  // re-run by a renewed store session, arrives now.
  leader->remove(latch, -1);
  try {
    store->add(test::make_checkpoint(testing::job_id("fenced"), 4));
    FAIL("a fenced add landed without its leader's latch node");
  } catch (const store_error& e) {
    CHECK(e.which() == store_error::kind::fenced);
    CHECK(std::string{e.what()}.find("leadership") != std::string::npos);
  }
  CHECK(env.files() == 2);  // its file was discarded, nothing subsumed
  auto next_leader = env.checkpoint_store(testing::job_id("fenced"), 2);
  next_leader->recover();
  CHECK(ids_of(next_leader->all()) == ids{2, 3});
}

TEST_CASE_TEMPLATE("checkpoint store contract: jobs do not see each other's checkpoints", Env,
                   ZK_CHECKPOINT_ENVS) {
  Env env;
  auto a = env.checkpoint_store(testing::job_id("job-a"), 2);
  auto b = env.checkpoint_store(testing::job_id("job-b"), 2);
  a->add(test::make_checkpoint(testing::job_id("job-a"), 1));
  b->add(test::make_checkpoint(testing::job_id("job-b"), 7));
  auto a2 = env.checkpoint_store(testing::job_id("job-a"), 2);
  a2->recover();
  CHECK(ids_of(a2->all()) == ids{1});
  b->shutdown(job_state::failed);
  a2->recover();
  CHECK(ids_of(a2->all()) == ids{1});
  CHECK_THROWS_AS(env.checkpoint_store("a/b", 2), store_error);
}

TEST_CASE_TEMPLATE("checkpoint store contract: an oldest checkpoint deleted by someone else does "
                   "not block adding",
                   Env, ZK_CHECKPOINT_ENVS) {
  Env env;
  auto store = env.checkpoint_store(testing::job_id("job"), 2);
  store->add(test::make_checkpoint(testing::job_id("job"), 1));
  store->add(test::make_checkpoint(testing::job_id("job"), 2));
  // Another JobManager's recover() (or an operator) removed checkpoint 1 meanwhile.
  env.client()->remove(env.checkpoints_path + "/" + testing::job_id("job") + "/"
                       + zk_completed_checkpoint_store::node_name(1));
  store->add(test::make_checkpoint(testing::job_id("job"), 3));
  CHECK(ids_of(store->all()) == ids{2, 3});
  CHECK(znodes(env, testing::job_id("job"))
        == std::vector<std::string>{"0000000000000000002", "0000000000000000003"});
  CHECK(test::dangling_pointers(*env.client(), env.checkpoints_path + "/" + testing::job_id("job"), *env.storage)
          .empty());
  // A checkpoint id that exists already is a conflict and changes nothing.
  try {
    store->add(test::make_checkpoint(testing::job_id("job"), 3));
    FAIL("adding checkpoint 3 twice succeeded");
  } catch (const store_error& e) {
    CHECK(e.which() == store_error::kind::conflict);
  }
  CHECK(ids_of(store->all()) == ids{2, 3});
  CHECK(env.files() == 3);  // 2, 3 and the orphan of the externally deleted 1
}
