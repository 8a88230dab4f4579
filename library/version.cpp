#include "fjord/version.hpp"

namespace fjord {

const char* library_version() {
  return FJORD_VERSION;
}

}  // namespace fjord
