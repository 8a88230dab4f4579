// Loads an operator plugin (a shared library with the entry point of fjord/plugin.hpp) into this
// process and collects the operators it registers. Adding them to the registry jobs use is the
// caller's decision; this file never touches operator_registry::global().
//
// A bad file is refused with a plugin_error, never by ending the process, with one limit:
// dlopen() runs the library's static constructors before anything can be checked, so a
// constructor that crashes, aborts, exits or throws still takes the process with it.
#pragma once

#include <string>
#include <vector>

#include <fjord/operator_registry.hpp>

#include "plugins/plugin_error.hpp"

namespace fjord {

/// A plugin loaded into this process, with the operators its registration function added.
///
/// The library stays mapped until the process exits, also after this object is gone: every
/// operator it created runs the plugin's code (virtual functions, the std::function factories in
/// its descriptors), and copies of descriptors may live on in other registries, so no point in
/// time is provably safe for dlclose().
class loaded_plugin {
 public:
  /// The absolute path it was loaded from.
  const std::string& path() const { return path_; }
  /// The operators it registered (only those).
  const operator_registry& operators() const { return operators_; }
  /// Their names, sorted.
  const std::vector<std::string>& operator_names() const { return operator_names_; }
  /// "0.5.0": the Fjord version it was compiled against.
  const std::string& built_against() const { return built_against_; }
  /// e.g. "GCC 12.2.0, libstdc++ 12".
  const std::string& compiler() const { return compiler_; }

 private:
  friend loaded_plugin load_plugin(const std::string& path);

  std::string path_;
  operator_registry operators_;
  std::vector<std::string> operator_names_;
  std::string built_against_;
  std::string compiler_;
};

/// dlopen()s `path` (RTLD_NOW | RTLD_LOCAL), checks its plugin_descriptor and runs its
/// registration function once with a fresh registry. Throws plugin_error, whose message is
/// "plugin <path>: <problem>", if the file is missing or unreadable, not a loadable shared
/// object, has no fjord_plugin_entry, has another plugin ABI, Fjord major.minor or C++
/// standard library ABI, if registration throws, adds no operator, adds one without a name or
/// create function, or adds one named like a built-in operator (refused: a job spec naming it
/// would silently mean something else depending on which registry it is parsed against).
///
/// Thread-safe (dlopen is); the registration function runs on the calling thread. Loading the
/// same file twice maps it once and runs its registration function again.
loaded_plugin load_plugin(const std::string& path);

}  // namespace fjord
