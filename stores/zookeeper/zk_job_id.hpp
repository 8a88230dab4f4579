// The one check every ZooKeeper store applies to a job id before it becomes a znode name.
#pragma once

#include <string>

#include "common/ids.hpp"
#include "stores/store_error.hpp"

namespace fjord {

/// The job id as a path segment; store_error(invalid_argument) unless it is a job id
/// (is_valid_job_id: 32 lowercase hex digits, so never "", "..", a '/' or a control character).
/// The message shows at most 40 characters of a bad id, control bytes as \xNN.
inline const std::string& checked_job_id(const std::string& job_id) {
  if (is_valid_job_id(job_id))
    return job_id;
  std::string shown;
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < job_id.size() && i < 40; ++i) {
    auto c = static_cast<unsigned char>(job_id[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      shown += static_cast<char>(c);
    } else {
      shown += "\\x";
      shown += hex[c >> 4];
      shown += hex[c & 0xf];
    }
  }
  if (job_id.size() > 40)
    shown += "...";
  throw store_error(store_error::kind::invalid_argument,
                    "'" + shown + "' is not a valid job id (32 lowercase hex digits)");
}

}  // namespace fjord
