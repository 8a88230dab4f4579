// A TaskManager's plugin installer: a detached actor (writing files and dlopen block) that
// verifies a fetched operator plugin against its announced SHA-256, keeps it in the plugin cache
// directory (plugins/plugin_cache.hpp) and loads it (plugins/plugin_loader.hpp).
//
//   (install_atom, std::string sha256, std::string bytes) -> std::shared_ptr<const loaded_plugin>
//
// A plugin that does not verify or load is errc::plugin_failed with the loader's one line.
#pragma once

#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

namespace fjord {
class loaded_plugin;
}  // namespace fjord

// The installer's reply stays in this process (never serialized).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const fjord::loaded_plugin>)

namespace fjord {

caf::actor spawn_plugin_installer(caf::actor_system& sys, std::string cache_dir);

/// The default cache directory: $TMPDIR (or /tmp) / fjord-plugins-<uid>.
std::string default_plugin_cache_dir();

}  // namespace fjord
