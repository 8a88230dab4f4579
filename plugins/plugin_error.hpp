// The one error the plugin loader and the plugin cache throw: a kind that callers match, and a
// one-line message that names the file and the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace fjord {

class plugin_error : public std::runtime_error {
 public:
  enum class kind {
    unreadable,            ///< the file is missing, not a regular file or cannot be read
    not_loadable,          ///< dlopen() refused it: not a shared object, wrong architecture, ...
    not_a_plugin,          ///< no fjord_plugin_entry, or it returned nothing usable
    abi_mismatch,          ///< another FJORD_PLUGIN_ABI_VERSION
    version_mismatch,      ///< built against another Fjord major.minor
    std_library_mismatch,  ///< built with another C++ standard library ABI
    registration_failed,   ///< the registration function threw
    no_operators,          ///< the registration function added nothing
    invalid_operator,      ///< an operator without a name or without a create function
    name_collision,        ///< an operator has the name of a built-in operator
    hash_mismatch,         ///< bytes whose content hash is not the announced one
    io,                    ///< the plugin cache cannot read or write its directory
  };

  plugin_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
  kind which() const { return kind_; }

 private:
  kind kind_;
};

const char* to_string(plugin_error::kind k);

}  // namespace fjord
