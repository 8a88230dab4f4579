#include "plugins/plugin_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fjord/plugin.hpp>
#include <fjord/version.hpp>

namespace fjord {

namespace {

using kind = plugin_error::kind;

/// Messages are one line, also when dlerror() or a plugin's what() spans several.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

[[noreturn]] void fail(kind k, const std::string& path, const std::string& problem) {
  throw plugin_error(k, one_line("plugin " + path + ": " + problem));
}

std::string version_string(std::uint32_t major, std::uint32_t minor, std::uint32_t patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

/// The file exists, is a regular file and this process may read it, so that dlopen() is only
/// asked about files it can open and its errors are about their contents.
void check_readable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    fail(kind::unreadable, path,
         err == ENOENT ? std::string{"no such file"}
                       : std::string{"cannot be read: "} + std::strerror(err));
  }
  struct stat st {};
  int rc = ::fstat(fd, &st);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    fail(kind::unreadable, path, std::string{"cannot be read: "} + std::strerror(err));
  if (!S_ISREG(st.st_mode))
    fail(kind::unreadable, path, "not a regular file");
}

/// dlerror() starts with the path again ("<path>: invalid ELF header"); the message has it once.
std::string dlerror_text(const std::string& path) {
  const char* raw = ::dlerror();
  std::string text = raw != nullptr ? raw : "unknown dlopen error";
  std::string prefix = path + ": ";
  if (text.compare(0, prefix.size(), prefix) == 0)
    text.erase(0, prefix.size());
  return text;
}

/// dlsym() on a handle also searches the library's dependencies; a plugin defines its entry
/// point itself.
bool defined_in(void* handle, void* symbol) {
  link_map* library = nullptr;
  if (::dlinfo(handle, RTLD_DI_LINKMAP, &library) != 0)
    return false;
  Dl_info info{};
  link_map* owner = nullptr;
  if (::dladdr1(symbol, &info, reinterpret_cast<void**>(&owner), RTLD_DL_LINKMAP) == 0)
    return false;
  return owner == library;
}

/// The checks that need no code of the plugin beyond its constant descriptor.
const plugin_descriptor& checked_descriptor(void* handle, const std::string& path) {
  ::dlerror();
  void* symbol = ::dlsym(handle, plugin_entry_symbol);
  if (symbol == nullptr || !defined_in(handle, symbol))
    fail(kind::not_a_plugin, path,
         "not a Fjord plugin (it defines no fjord_plugin_entry; see FJORD_PLUGIN in "
         "fjord/plugin.hpp)");
  auto entry = reinterpret_cast<plugin_entry_function>(symbol);
  const plugin_descriptor* d = entry();
  if (d == nullptr)
    fail(kind::not_a_plugin, path, "not a Fjord plugin (fjord_plugin_entry returned null)");
  if (d->abi_version != FJORD_PLUGIN_ABI_VERSION)
    fail(kind::abi_mismatch, path,
         "plugin ABI " + std::to_string(d->abi_version) + ", this is Fjord " FJORD_VERSION
         " with plugin ABI " FJORD_PLUGIN_STRINGIFY(FJORD_PLUGIN_ABI_VERSION)
         " (rebuild the plugin against Fjord " FJORD_VERSION ")");
  if (d->fjord_major != FJORD_VERSION_MAJOR || d->fjord_minor != FJORD_VERSION_MINOR)
    fail(kind::version_mismatch, path,
         "built against Fjord " + version_string(d->fjord_major, d->fjord_minor, d->fjord_patch) +
           ", this is Fjord " FJORD_VERSION " (rebuild it against Fjord " +
           std::to_string(FJORD_VERSION_MAJOR) + "." + std::to_string(FJORD_VERSION_MINOR) +
           ")");
  const char* compiler = d->compiler != nullptr ? d->compiler : "an unknown compiler";
  if (d->std_library_abi == nullptr ||
      std::strcmp(d->std_library_abi, FJORD_PLUGIN_STD_LIBRARY_ABI) != 0)
    fail(kind::std_library_mismatch, path,
         std::string{"built with "} + compiler + " for " +
           (d->std_library_abi != nullptr ? d->std_library_abi : "an unknown standard library") +
           ", this Fjord uses " FJORD_PLUGIN_STD_LIBRARY_ABI " (" FJORD_PLUGIN_COMPILER ")");
  if (d->register_operators == nullptr)
    fail(kind::not_a_plugin, path, "not a Fjord plugin (its descriptor has no registration "
                                   "function)");
  return *d;
}

/// Runs the plugin's registration function and checks what it added.
operator_registry registered_operators(const plugin_descriptor& d, const std::string& path) {
  operator_registry registry;
  try {
    d.register_operators(registry);
  } catch (const std::exception& e) {
    fail(kind::registration_failed, path, std::string{"registration failed: "} + e.what());
  } catch (...) {
    fail(kind::registration_failed, path, "registration failed with a non-standard exception");
  }
  auto names = registry.names();
  if (names.empty())
    fail(kind::no_operators, path, "registers no operator");
  operator_registry builtins;
  register_builtin_operators(builtins);
  for (auto& name : names) {
    if (name.empty())
      fail(kind::invalid_operator, path, "registers an operator with an empty name");
    if (!registry.find(name)->create)
      fail(kind::invalid_operator, path, "operator '" + name + "' has no create function");
    if (builtins.find(name) != nullptr)
      fail(kind::name_collision, path,
           "operator '" + name + "' has the name of a built-in operator (rename it)");
  }
  return registry;
}

}  // namespace

loaded_plugin load_plugin(const std::string& given_path) {
  if (given_path.empty())
    throw plugin_error(kind::unreadable, "plugin: the path is empty");
  // Absolute, so that dlopen() never searches LD_LIBRARY_PATH and the system directories for a
  // name without a slash.
  std::error_code ec;
  auto absolute = std::filesystem::absolute(given_path, ec);
  std::string path = ec ? given_path : absolute.string();
  check_readable(path);

  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    fail(kind::not_loadable, path, "not a loadable shared object (" + dlerror_text(path) + ")");

  const plugin_descriptor* descriptor = nullptr;
  try {
    descriptor = &checked_descriptor(handle, path);
  } catch (const plugin_error&) {
    // Nothing of the library ran but its constructors and the entry point returning a constant.
    ::dlclose(handle);
    throw;
  }
  // From here on the plugin's own code runs; whatever it left behind (a pointer in a static, a
  // thread) may refer into the library, so it stays mapped even when it is refused.
  loaded_plugin plugin;
  plugin.operators_ = registered_operators(*descriptor, path);
  plugin.operator_names_ = plugin.operators_.names();
  plugin.path_ = path;
  plugin.built_against_ =
    version_string(descriptor->fjord_major, descriptor->fjord_minor, descriptor->fjord_patch);
  plugin.compiler_ = descriptor->compiler != nullptr ? descriptor->compiler : "";
  return plugin;
}

}  // namespace fjord
