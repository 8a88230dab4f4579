#include "library/job_plugins.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugins/content_hash.hpp"
#include "plugins/plugin_error.hpp"
#include "plugins/plugin_loader.hpp"

namespace fjord {

job_plugins load_job_plugins(const std::vector<std::string>& paths) {
  job_plugins result;
  auto registry = std::make_shared<operator_registry>(operator_registry::global());
  for (auto& path : paths) {
    std::ifstream in{path, std::ios::binary};
    std::ostringstream bytes;
    if (!in || !(bytes << in.rdbuf()))
      throw plugin_error(plugin_error::kind::unreadable,
                         "plugin " + path + ": cannot read the file");
    auto plugin = load_plugin(path);
    for (auto& name : plugin.operator_names())
      registry->add(*plugin.operators().find(name));
    plugin_blob blob;
    blob.name = std::filesystem::path{path}.filename().string();
    blob.bytes = bytes.str();
    blob.sha256 = sha256_hex(blob.bytes);
    result.blobs.push_back(std::move(blob));
  }
  result.registry = std::move(registry);
  return result;
}

}  // namespace fjord
