// The high-availability services a JobManager runs on, chosen by `recovery.mode`:
// standalone (in memory, always leader) or zookeeper (stores/zookeeper/). The JobManager does
// not know which: every call goes through a store worker or the election worker.
#pragma once

#include <memory>

#include "stores/checkpoint_recovery_factory.hpp"
#include "stores/job_result_store.hpp"
#include "stores/leader_election.hpp"
#include "stores/submitted_job_graph_store.hpp"

namespace fjord {

struct ha_services {
  std::shared_ptr<leader_election_service> election;
  std::shared_ptr<submitted_job_graph_store> job_graphs;
  std::shared_ptr<checkpoint_recovery_factory> checkpoint_recovery;
  std::shared_ptr<job_result_store> job_results;
};

/// In-memory stores and an election that grants leadership at once.
ha_services make_standalone_ha_services();

}  // namespace fjord
