// recovery.zookeeper.* settings: defaults, overrides, and one clear line for each bad input.
#include <doctest/doctest.h>

#include <string>

#include "stores/zookeeper/zk_config.hpp"
#include "stores/zookeeper/zk_real_client.hpp"
#include "tests/support/zk_test_server.hpp"

using namespace fjord;
using namespace fjord::zk;

namespace {

configuration minimal() {
  configuration c;
  c.set("recovery.zookeeper.quorum", "localhost:2181");
  c.set("recovery.zookeeper.storageDir", "/tmp/recovery");
  return c;
}

std::string error_of(const configuration& c) {
  try {
    zookeeper_settings::from(c);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("zk config: defaults") {
  auto s = zookeeper_settings::from(minimal());
  CHECK(s.quorum == "localhost:2181");
  CHECK(s.root == "/fjord");
  CHECK(s.cluster_id == "default");
  CHECK(s.client_root() == "/fjord/default");
  CHECK(s.latch_path == "/leaderlatch");
  CHECK(s.leader_path == "/leader");
  CHECK(s.jobgraphs_path == "/jobgraphs");
  CHECK(s.checkpoints_path == "/checkpoints");
  CHECK(s.checkpoint_counter_path == "/checkpoint-counter");
  CHECK(s.job_results_path == "/job-results");
  CHECK(s.storage_dir == "/tmp/recovery");
  CHECK(s.session_timeout_ms == 60000);
  CHECK(s.connection_timeout_ms == 15000);
  CHECK(s.retry_wait_ms == 5000);
  CHECK(s.max_retry_attempts == 3);
  CHECK_FALSE(s.tolerate_suspended_connections);
  auto o = s.to_connect_options();
  CHECK(o.quorum == "localhost:2181");
  CHECK(o.root == "/fjord/default");
  CHECK(o.session_timeout_ms == 60000);
  CHECK(s.to_retry_policy().max_attempts() == 4);
  CHECK(s.to_retry_policy().wait_before(2) == std::chrono::milliseconds(5000));
}

TEST_CASE("zk config: every key can be overridden, whitespace in the quorum is stripped") {
  auto c = minimal();
  c.apply_overrides({"recovery.zookeeper.quorum= zk1:2181, zk2:2182 ,zk3:2183",
                     "recovery.zookeeper.path.root=/ha", "recovery.zookeeper.path.cluster-id=prod",
                     "recovery.zookeeper.path.latch=/latch", "recovery.zookeeper.path.leader=/lead",
                     "recovery.zookeeper.path.jobgraphs=/graphs",
                     "recovery.zookeeper.path.checkpoints=/cps",
                     "recovery.zookeeper.path.checkpoint-counter=/counters",
                     "recovery.zookeeper.path.job-results=/results",
                     "recovery.zookeeper.client.session-timeout=2s",
                     "recovery.zookeeper.client.connection-timeout=500",
                     "recovery.zookeeper.client.retry-wait=100ms",
                     "recovery.zookeeper.client.max-retry-attempts=0",
                     "recovery.zookeeper.client.tolerate-suspended-connections=true"});
  auto s = zookeeper_settings::from(c);
  CHECK(s.quorum == "zk1:2181,zk2:2182,zk3:2183");
  CHECK(s.client_root() == "/ha/prod");
  CHECK(s.latch_path == "/latch");
  CHECK(s.leader_path == "/lead");
  CHECK(s.jobgraphs_path == "/graphs");
  CHECK(s.checkpoints_path == "/cps");
  CHECK(s.checkpoint_counter_path == "/counters");
  CHECK(s.job_results_path == "/results");
  CHECK(s.session_timeout_ms == 2000);
  CHECK(s.connection_timeout_ms == 500);
  CHECK(s.retry_wait_ms == 100);
  CHECK(s.max_retry_attempts == 0);
  CHECK(s.tolerate_suspended_connections);
  CHECK(s.to_retry_policy().max_attempts() == 1);
  auto election = s.to_election_options();
  CHECK(election.latch_path == "/latch");
  CHECK(election.leader_path == "/lead");
  CHECK(election.tolerate_suspended_connections);
  CHECK(election.retry_wait_ms == 100);
  c.set("recovery.zookeeper.path.root", "/");
  CHECK(zookeeper_settings::from(c).client_root() == "/prod");
}

TEST_CASE("zk config: missing or malformed values give one clear line") {
  configuration empty;
  CHECK(contains(error_of(empty), "recovery.zookeeper.quorum is not set: "));
  auto c = minimal();
  c.set("recovery.zookeeper.quorum", "   ");
  CHECK(contains(error_of(c), "recovery.zookeeper.quorum is not set: "));
  c.set("recovery.zookeeper.quorum", "localhost");
  CHECK(contains(error_of(c), "bad entry 'localhost'"));
  c.set("recovery.zookeeper.quorum", "a:2181,,b:2181");
  CHECK(contains(error_of(c), "recovery.zookeeper.quorum"));
  c.set("recovery.zookeeper.quorum", "a:99999");
  CHECK(contains(error_of(c), "bad entry 'a:99999'"));

  c = minimal();
  c.set("recovery.zookeeper.storageDir", "");
  CHECK(contains(error_of(c), "recovery.zookeeper.storageDir is not set: "));

  c = minimal();
  c.set("recovery.zookeeper.path.root", "fjord");
  CHECK(contains(error_of(c), "recovery.zookeeper.path.root: 'fjord' is not a ZooKeeper path"));
  c = minimal();
  c.set("recovery.zookeeper.path.leader", "/leader/");
  CHECK(contains(error_of(c), "recovery.zookeeper.path.leader"));
  c = minimal();
  c.set("recovery.zookeeper.path.cluster-id", "a/b");
  CHECK(contains(error_of(c), "recovery.zookeeper.path.cluster-id"));

  c = minimal();
  c.set("recovery.zookeeper.client.session-timeout", "0");
  CHECK(contains(error_of(c), "recovery.zookeeper.client.session-timeout: must be > 0"));
  c = minimal();
  c.set("recovery.zookeeper.client.connection-timeout", "soon");
  CHECK(contains(error_of(c), "recovery.zookeeper.client.connection-timeout"));
  c = minimal();
  c.set("recovery.zookeeper.client.max-retry-attempts", "-1");
  CHECK(contains(error_of(c), "recovery.zookeeper.client.max-retry-attempts"));
  c = minimal();
  c.set("recovery.zookeeper.client.tolerate-suspended-connections", "maybe");
  CHECK(contains(error_of(c), "tolerate-suspended-connections"));
}

TEST_CASE("zk config: connect() reaches a real server below <root>/<cluster-id>") {
  auto c = minimal();
  c.set("recovery.zookeeper.quorum", testing::zk_test_server::shared().quorum());
  c.set("recovery.zookeeper.path.root", testing::unique_root("config"));
  c.set("recovery.zookeeper.client.session-timeout", "2s");
  auto s = zookeeper_settings::from(c);
  auto client = connect(s);
  client->create("/x", "", create_mode::persistent);
  auto second = make_client_factory(s)();
  CHECK(second->exists("/x"));
  CHECK(second->session_id() != client->session_id());
  connect_options all;
  all.quorum = s.quorum;
  all.root = "/";
  all.session_timeout_ms = 2000;
  all.connection_timeout_ms = 5000;
  auto root_view = real_zk_client::connect(all);
  CHECK(root_view->exists(s.client_root() + "/x"));

  c.set("recovery.zookeeper.quorum", "127.0.0.1:1");
  c.set("recovery.zookeeper.client.connection-timeout", "200ms");
  try {
    connect(zookeeper_settings::from(c));
    FAIL("expected a connection error");
  } catch (const zk_error& e) {
    CHECK(e.code() == error_code::connection_loss);
    CHECK(contains(e.what(), "127.0.0.1:1"));
  }
}
