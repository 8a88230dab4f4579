// fjord::local_cluster (include/fjord/local_cluster.hpp) over the embedded cluster.
#include <fjord/local_cluster.hpp>

#include <stdexcept>

#include "actors/embedded_cluster.hpp"
#include "library/client_impl.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

struct local_cluster::impl {
  impl(caf::actor_system& sys, const local_cluster_options& options)
    : cluster(sys, cluster_options(options), make_ha_services(options.config)),
      state(std::make_shared<client::impl>(sys, cluster.endpoint())),
      calls(state) {}

  static embedded_cluster_options cluster_options(const local_cluster_options& options) {
    options.config.check_keys();
    if (options.task_managers < 1)
      throw config_error("local_cluster: task_managers must be at least 1, got "
                         + std::to_string(options.task_managers));
    if (options.slots_per_task_manager < 1)
      throw config_error("local_cluster: slots_per_task_manager must be at least 1, got "
                         + std::to_string(options.slots_per_task_manager));
    embedded_cluster_options result;
    result.task_managers = options.task_managers;
    result.slots_per_task_manager = options.slots_per_task_manager;
    return result;
  }

  embedded_cluster cluster;
  std::shared_ptr<client::impl> state;
  fjord::client calls;
};

local_cluster::local_cluster(caf::actor_system& sys, local_cluster_options options)
  : impl_(std::make_unique<impl>(sys, options)) {
  auto session = impl_->state->local->connect(std::chrono::seconds{10});
  if (!session)
    throw std::runtime_error("local_cluster: the JobManager did not become leader: "
                             + describe(session.error()));
}

local_cluster::~local_cluster() = default;

client& local_cluster::client() {
  return impl_->calls;
}

int local_cluster::total_slots() const {
  return impl_->cluster.total_slots();
}

}  // namespace fjord
