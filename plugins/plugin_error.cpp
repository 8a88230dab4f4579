#include "plugins/plugin_error.hpp"

namespace fjord {

const char* to_string(plugin_error::kind k) {
  using kind = plugin_error::kind;
  switch (k) {
    case kind::unreadable:
      return "unreadable";
    case kind::not_loadable:
      return "not_loadable";
    case kind::not_a_plugin:
      return "not_a_plugin";
    case kind::abi_mismatch:
      return "abi_mismatch";
    case kind::version_mismatch:
      return "version_mismatch";
    case kind::std_library_mismatch:
      return "std_library_mismatch";
    case kind::registration_failed:
      return "registration_failed";
    case kind::no_operators:
      return "no_operators";
    case kind::invalid_operator:
      return "invalid_operator";
    case kind::name_collision:
      return "name_collision";
    case kind::hash_mismatch:
      return "hash_mismatch";
    case kind::io:
      return "io";
  }
  return "unknown";
}

}  // namespace fjord
