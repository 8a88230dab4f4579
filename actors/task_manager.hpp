// The TaskManager actor: offers slots to the leading JobManager, spawns task actors on
// deploy_task, and cancels them on request or when the leader goes away. Tasks run in the
// TaskManager's actor system; the JobManager reaches them through the handles it gets back.
//
// Interface: task_manager_actor (messages/fwd.hpp), fenced by the leader session it registered
// under:
//   deploy_task  -> task_actor (the task)
//   cancel_tasks -> kills the job's tasks of attempts <= the given one
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "actors/task.hpp"
#include "messages/fwd.hpp"

namespace fjord {

struct task_manager_options {
  std::string id;  ///< unique name, e.g. "tm-1"
  std::int32_t slots = 1;
  task_options tasks;
  std::int64_t registration_retry_ms = 500;
  /// Where fetched operator plugins are kept by hash ("": default_plugin_cache_dir()).
  std::string plugin_cache_dir;
  /// The data endpoint this TaskManager announces (other TaskManagers connect to it); empty
  /// host: none (embedded, one node).
  std::string data_host;
  std::uint16_t data_port = 0;
  /// How long connect_peers waits for a peer's link before it fails.
  std::int64_t peer_link_timeout_ms = 10000;
};

/// Registers with `job_manager` (asking it for its leader session first) and re-registers
/// whenever that fails.
task_manager_actor spawn_task_manager(caf::actor_system& sys,
                                      job_manager_endpoint_actor job_manager,
                                      task_manager_options options);

/// A TaskManager of a cluster: it follows the leader it is told about with leader_announcement
/// messages (messages/internal_messages.hpp) from leader retrieval, sent in its own name
/// (caf::send_as(tm, tm, ...)); from any other sender they are dropped. On every change it cancels the old leader's tasks, connects to the new address
/// through the middleman and registers under the announced session; deployments from any other
/// session are refused.
task_manager_actor spawn_cluster_task_manager(caf::actor_system& sys,
                                              task_manager_options options);

}  // namespace fjord
