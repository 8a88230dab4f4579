#include "stores/zookeeper/ha_services_factory.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "stores/standalone/standalone_stores.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_checkpoint_recovery_factory.hpp"
#include "stores/zookeeper/zk_config.hpp"
#include "stores/zookeeper/zk_job_result_store.hpp"
#include "stores/zookeeper/zk_leader_election.hpp"
#include "stores/zookeeper/zk_leader_retrieval.hpp"
#include "stores/zookeeper/zk_reconnecting_client.hpp"
#include "stores/zookeeper/zk_submitted_job_graph_store.hpp"

namespace fjord {

namespace {

std::string standalone_address(const configuration& config) {
  return config.get_required("jobmanager.address",
                             "set it to the JobManager's host:port in standalone mode, or use "
                             "recovery.mode: zookeeper");
}

}  // namespace

recovery_mode recovery_mode_of(const configuration& config) {
  auto mode = config.get_string("recovery.mode", "standalone");
  std::transform(mode.begin(), mode.end(), mode.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (mode == "standalone")
    return recovery_mode::standalone;
  if (mode == "zookeeper")
    return recovery_mode::zookeeper;
  throw config_error(fmt::format("recovery.mode: unknown mode '{}' (use standalone or zookeeper)",
                                 config.get_string("recovery.mode", "")));
}

ha_services make_ha_services(const configuration& config) {
  if (recovery_mode_of(config) == recovery_mode::standalone)
    return make_standalone_ha_services();
  auto settings = zk::zookeeper_settings::from(config);
  // The stores share one session that is renewed when it expires.
  zk::client_ptr client = std::make_shared<zk::reconnecting_client>(zk::make_client_factory(settings));
  auto storage = std::make_shared<file_state_storage>(settings.storage_dir);
  auto retry = settings.to_retry_policy();
  ha_services services;
  services.election = std::make_shared<zk::zk_leader_election_service>(
    zk::make_client_factory(settings), settings.to_election_options());
  services.job_graphs = std::make_shared<zk_submitted_job_graph_store>(
    client, settings.jobgraphs_path, storage, retry);
  services.checkpoint_recovery = std::make_shared<zk_checkpoint_recovery_factory>(client, settings);
  services.job_results
    = std::make_shared<zk_job_result_store>(client, settings.job_results_path, retry);
  return services;
}

std::unique_ptr<leader_retrieval_service> make_leader_retrieval(const configuration& config) {
  if (recovery_mode_of(config) == recovery_mode::standalone)
    return std::make_unique<standalone_leader_retrieval_service>(standalone_address(config));
  auto settings = zk::zookeeper_settings::from(config);
  return std::make_unique<zk::zk_leader_retrieval_service>(zk::make_client_factory(settings),
                                                           settings.leader_path,
                                                           settings.retry_wait_ms);
}

}  // namespace fjord
