// A whole Fjord cluster inside your own caf::actor_system: one JobManager and N TaskManagers,
// with in-memory stores (standalone) or ZooKeeper HA, from a configuration object:
//
//   caf::actor_system_config cfg;
//   fjord::add_message_types(cfg);                // fjord/actor_system.hpp
//   caf::actor_system sys{cfg};
//   fjord::local_cluster cluster{sys, {2, 4}};    // 2 TaskManagers x 4 slots
//   auto id = cluster.client().submit(job);
//   auto end = cluster.client().wait(*id, std::chrono::minutes{1});
//
// Destroying it stops its actors (in zookeeper mode the HA data stays for the next leader).
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include <fjord/client.hpp>
#include <fjord/configuration.hpp>

namespace fjord {

struct local_cluster_options {
  int task_managers = 1;
  int slots_per_task_manager = 4;
  /// `recovery.mode` (standalone or zookeeper) with its `recovery.zookeeper.*` keys, as in a
  /// JobManager's configuration file; empty: standalone, in memory.
  configuration config;
};

class local_cluster {
 public:
  /// Starts the JobManager and TaskManagers and waits (up to 10 s) until the JobManager leads.
  /// Throws config_error for bad settings, std::runtime_error if it does not become leader.
  explicit local_cluster(caf::actor_system& sys, local_cluster_options options = {});
  ~local_cluster();

  local_cluster(const local_cluster&) = delete;
  local_cluster& operator=(const local_cluster&) = delete;

  /// A client of its JobManager (blocking calls: not from inside an actor).
  fjord::client& client();
  int total_slots() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace fjord
