// zk_job_result_store on the fake and a real ZooKeeper, and the checkpoint recovery factory
// built from the recovery.zookeeper.* settings.
#include <doctest/doctest.h>

#include "tests/support/job_ids.hpp"
#include "stores/zookeeper/zk_job_result_store.hpp"
#include "tests/zookeeper/store_contract_envs.hpp"

using namespace fjord;

namespace {

job_result result_of(const std::string& job, job_state state, const std::string& failure = "") {
  job_result r;
  r.job_id = job;
  r.state = state;
  r.ended_ms = 1234;
  r.failure = failure;
  return r;
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

TEST_CASE_TEMPLATE("job result store: a finished job's result survives a new instance", Env,
                   test::fake_zk_env, test::real_zk_env) {
  Env env;
  zk_job_result_store store{env.client(), "/job-results", test::fast_retry()};
  CHECK_FALSE(store.contains(testing::job_id("job-a")));
  CHECK_FALSE(store.get(testing::job_id("job-a")));
  CHECK(store.job_ids().empty());
  store.put(result_of(testing::job_id("job-a"), job_state::finished));
  store.put(result_of(testing::job_id("job-b"), job_state::failed, "restarts exhausted"));

  zk_job_result_store next_leader{env.new_client(), "/job-results", test::fast_retry()};
  CHECK(next_leader.contains(testing::job_id("job-a")));
  auto b = next_leader.get(testing::job_id("job-b"));
  REQUIRE(b);
  CHECK(b->state == job_state::failed);
  CHECK(b->failure == "restarts exhausted");
  CHECK(b->ended_ms == 1234);
  CHECK(next_leader.job_ids() == std::vector<std::string>{testing::job_id("job-a"), testing::job_id("job-b")});
  auto all = next_leader.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].job_id == testing::job_id("job-a"));
  CHECK(all[1].failure == "restarts exhausted");

  // Recording again replaces; removing is idempotent.
  store.put(result_of(testing::job_id("job-a"), job_state::canceled));
  CHECK(next_leader.get(testing::job_id("job-a"))->state == job_state::canceled);
  next_leader.remove(testing::job_id("job-a"));
  next_leader.remove(testing::job_id("job-a"));
  CHECK_FALSE(store.contains(testing::job_id("job-a")));
}

TEST_CASE("job result store: bad inputs and a corrupt znode (skipped when listing all)") {
  test::fake_zk_env env;
  zk_job_result_store store{env.client(), "/job-results", test::fast_retry()};
  CHECK(kind_of([&] { store.put(result_of(testing::job_id("job"), job_state::running)); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { store.put(result_of(testing::job_id("job"), job_state::suspended)); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { store.put(result_of("a/b", job_state::finished)); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { store.get(""); }) == store_error::kind::invalid_argument);
  // Only a job id (32 lowercase hex digits) becomes a znode name: no "..", no short or upper
  // case id, no control character.
  auto valid = testing::job_id("job");
  for (std::string bad : {std::string(".."), std::string("0123"), std::string(valid + "0"),
                          std::string("0123456789ABCDEF0123456789abcdef"),
                          std::string(valid).replace(5, 1, 1, '\0'),
                          std::string(valid).replace(5, 1, 1, '\n')})
    CHECK_MESSAGE(kind_of([&] { store.contains(bad); }) == store_error::kind::invalid_argument,
                  bad);
  CHECK_FALSE(store.contains(valid));
  env.client()->create_recursive("/job-results/" + valid);
  env.client()->set("/job-results/" + valid, "garbage", -1);
  CHECK(kind_of([&] { store.get(valid); }) == store_error::kind::corrupt);
  // Listing all results skips the corrupt one instead of hiding the others.
  store.put(result_of(testing::job_id("readable"), job_state::finished));
  auto all = store.all();
  REQUIRE(all.size() == 1);
  CHECK(all[0].job_id == testing::job_id("readable"));
  env.fake().suspend();
  CHECK(kind_of([&] { store.contains(valid); }) == store_error::kind::unavailable);
  env.fake().reconnect();
  CHECK_THROWS_AS(zk_job_result_store(env.client(), "relative"), store_error);
}

TEST_CASE("checkpoint recovery factory: built from the recovery.zookeeper.* settings") {
  test::fake_zk_env env;
  zk::zookeeper_settings settings;
  settings.storage_dir = env.dir.file("from-settings");
  settings.checkpoints_path = "/cps";
  settings.checkpoint_counter_path = "/ids";
  settings.max_retry_attempts = 1;
  zk_checkpoint_recovery_factory factory{env.client(), settings};
  auto store = factory.create_completed_checkpoint_store(testing::job_id("job"), 2);
  auto counter = factory.create_checkpoint_id_counter(testing::job_id("job"));
  counter->start();
  store->add(test::make_checkpoint(testing::job_id("job"), counter->get_and_increment()));
  CHECK(env.client()->exists("/cps/" + testing::job_id("job") + "/0000000000000000001"));
  CHECK(env.client()->get("/ids/" + testing::job_id("job"))->data == "2");
  CHECK(test::list_files(settings.storage_dir).size() == 1);
  CHECK(factory.storage()->directory() == settings.storage_dir);
  CHECK(kind_of([&] { factory.create_completed_checkpoint_store(testing::job_id("job"), 0); })
        == store_error::kind::invalid_argument);

  zk::zookeeper_settings unusable = settings;
  unusable.storage_dir = "";
  CHECK(kind_of([&] { zk_checkpoint_recovery_factory(env.client(), unusable); })
        == store_error::kind::invalid_argument);
}
