// The error every store throws. Store workers turn it into a reply the actors can handle.
#pragma once

#include <stdexcept>
#include <string>

namespace fjord {

class store_error : public std::runtime_error {
 public:
  enum class kind {
    not_found,      ///< the entry does not exist
    conflict,       ///< exists already, changed concurrently, or owned by someone else
    corrupt,        ///< stored bytes cannot be read (checksum, truncation, ...)
    unavailable,    ///< the coordination service is unreachable or the session is suspended
    invalid_state,  ///< used before start() or after shutdown
    io,             ///< the file system failed
    invalid_argument,
    fenced,         ///< a write of a leader that no longer leads, dropped
  };

  store_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
  kind which() const { return kind_; }

 private:
  kind kind_;
};

}  // namespace fjord
