// Chooses the high-availability services by `recovery.mode`:
//   standalone — in-memory stores, the single JobManager is always leader; TaskManagers and
//                clients find it at the fixed `jobmanager.address` (host:port).
//   zookeeper  — one shared ZooKeeper session for the job graph, checkpoint and job result
//                stores (bytes in files under recovery.zookeeper.storageDir), and leader
//                election/retrieval with sessions of their own.
// Errors are config_error (a missing quorum or storage directory, a bad mode) or store_error /
// zk_error (ZooKeeper unreachable), each one line.
#pragma once

#include <memory>
#include <string>

#include "fjord/configuration.hpp"
#include "stores/ha_services.hpp"

namespace fjord {

enum class recovery_mode { standalone, zookeeper };

/// Reads `recovery.mode` (case-insensitive); throws config_error for anything else.
recovery_mode recovery_mode_of(const configuration& config);

ha_services make_ha_services(const configuration& config);

std::unique_ptr<leader_retrieval_service> make_leader_retrieval(const configuration& config);

}  // namespace fjord
