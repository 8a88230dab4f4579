#include "actors/plugin_installer.hpp"

#include <cstdlib>
#include <memory>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "fjord/errc.hpp"
#include "messages/atoms.hpp"
#include "plugins/plugin_cache.hpp"
#include "plugins/plugin_error.hpp"
#include "plugins/plugin_loader.hpp"

namespace fjord {

namespace {

caf::behavior installer(caf::event_based_actor*, std::string cache_dir) {
  auto cache = std::make_shared<plugin_cache>(std::move(cache_dir));
  return {
    [=](install_atom, const std::string& sha256,
        const std::string& bytes) -> caf::result<std::shared_ptr<const loaded_plugin>> {
      try {
        verify_content_hash(bytes, sha256, "plugin " + sha256.substr(0, 12));
        auto path = cache->store(bytes);
        auto plugin = std::make_shared<const loaded_plugin>(load_plugin(path));
        spdlog::info("plugin {} loaded ({} operator(s))", sha256.substr(0, 12),
                     plugin->operator_names().size());
        return plugin;
      } catch (const std::exception& e) {
        return make_error(errc::plugin_failed, e.what());
      }
    },
  };
}

}  // namespace

caf::actor spawn_plugin_installer(caf::actor_system& sys, std::string cache_dir) {
  return sys.spawn<caf::detached>(installer, std::move(cache_dir));
}

std::string default_plugin_cache_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  return base + "/fjord-plugins-" + std::to_string(::getuid());
}

}  // namespace fjord
