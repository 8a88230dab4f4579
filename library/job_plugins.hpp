// The operator plugins a client ships with a job (`fjord submit --plugin`): each file is read
// and loaded here first (ABI and version checked), so the spec is validated with its operators
// and a plugin that cannot load is refused before anything reaches the cluster.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fjord/operator_registry.hpp"
#include "messages/job_graph.hpp"

namespace fjord {

struct job_plugins {
  /// The global registry's operators plus the plugins' (the registry to validate the spec).
  std::shared_ptr<const operator_registry> registry;
  std::vector<plugin_blob> blobs;  ///< to put into job_graph::plugins
};

/// Throws plugin_error (one line naming the file) for a file that cannot be read or loaded.
job_plugins load_job_plugins(const std::vector<std::string>& paths);

}  // namespace fjord
