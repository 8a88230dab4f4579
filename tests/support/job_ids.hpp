// Readable job ids for tests: stores accept only 32 lowercase hex digits (is_valid_job_id).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace fjord::testing {

/// `label` (at most 16 bytes) hex-encoded and padded with '0' to 32 digits: "job-a" gives
/// "6a6f622d610000000000000000000000". Distinct labels give distinct ids, in the same order.
inline std::string job_id(std::string_view label) {
  if (label.size() > 16)
    throw std::invalid_argument("testing::job_id: label longer than 16 bytes");
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char c : label) {
    id += hex[c >> 4];
    id += hex[c & 0xf];
  }
  id.resize(32, '0');
  return id;
}

}  // namespace fjord::testing
