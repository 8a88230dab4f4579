// recovery.mode chooses the HA services: clear one-line errors for wrong configuration, and a
// working set of ZooKeeper services against a real server.
#include <doctest/doctest.h>

#include <filesystem>

#include "stores/zookeeper/ha_services_factory.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_test_server.hpp"

using namespace fjord;

namespace {

std::string error_of(const configuration& config) {
  try {
    make_ha_services(config);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("recovery.mode: standalone by default, zookeeper on request, anything else refused") {
  configuration config;
  CHECK(recovery_mode_of(config) == recovery_mode::standalone);
  config.set("recovery.mode", "ZooKeeper");
  CHECK(recovery_mode_of(config) == recovery_mode::zookeeper);
  config.set("recovery.mode", "etcd");
  CHECK_THROWS_WITH_AS(recovery_mode_of(config),
                       "recovery.mode: unknown mode 'etcd' (use standalone or zookeeper)",
                       config_error);
}

TEST_CASE("zookeeper mode without a quorum or a storage directory names the missing key") {
  configuration config;
  config.set("recovery.mode", "zookeeper");
  config.set("recovery.zookeeper.storageDir", "/tmp/x");
  CHECK(error_of(config).find("recovery.zookeeper.quorum") != std::string::npos);
  configuration no_dir;
  no_dir.set("recovery.mode", "zookeeper");
  no_dir.set("recovery.zookeeper.quorum", "127.0.0.1:2181");
  CHECK(error_of(no_dir).find("recovery.zookeeper.storageDir") != std::string::npos);
}

TEST_CASE("standalone leader retrieval needs jobmanager.address") {
  configuration config;
  CHECK_THROWS_AS(make_leader_retrieval(config), config_error);
  config.set("jobmanager.address", "127.0.0.1:6123");
  CHECK(make_leader_retrieval(config) != nullptr);
}

TEST_CASE("zookeeper services against a real server persist a job graph and checkpoints") {
  auto& server = testing::zk_test_server::shared();
  testing::temp_dir dir{"fjord-ha"};
  configuration config;
  config.set("recovery.mode", "zookeeper");
  config.set("recovery.zookeeper.quorum", server.quorum());
  config.set("recovery.zookeeper.path.root", testing::unique_root("ha-services"));
  config.set("recovery.zookeeper.storageDir", dir.str());
  config.set("recovery.zookeeper.client.session-timeout", "4000");
  auto services = make_ha_services(config);
  REQUIRE(services.election);
  REQUIRE(services.job_graphs);
  REQUIRE(services.checkpoint_recovery);
  REQUIRE(services.job_results);
  services.job_graphs->start(nullptr);
  submitted_job_graph g;
  g.graph.job_id = "0123456789abcdef0123456789abcdef";
  g.graph.name = "ha";
  services.job_graphs->put(g);
  CHECK(services.job_graphs->recover_all().graphs.size() == 1);
  auto store = services.checkpoint_recovery->create_completed_checkpoint_store(g.graph.job_id, 2);
  completed_checkpoint c;
  c.job_id = g.graph.job_id;
  c.checkpoint_id = 3;
  store->add(c);
  auto again = services.checkpoint_recovery->create_completed_checkpoint_store(g.graph.job_id, 2);
  again->recover();
  REQUIRE(again->latest().has_value());
  CHECK(again->latest()->checkpoint_id == 3);
  services.job_results->put({g.graph.job_id, job_state::finished, 1, ""});
  CHECK(services.job_results->contains(g.graph.job_id));
  again->shutdown(job_state::finished);
  services.job_graphs->remove(g.graph.job_id);
  CHECK(services.job_graphs->recover_all().graphs.empty());
  services.job_graphs->stop();
}
