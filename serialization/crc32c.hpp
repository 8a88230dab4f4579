// CRC-32C (Castagnoli), the checksum of the persisted-record envelope. None of our
// dependencies ships one, so this is the small table-driven version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fjord {

/// Extends `crc` (0 to start) with `data`.
std::uint32_t crc32c(std::uint32_t crc, const void* data, std::size_t size);

inline std::uint32_t crc32c(std::string_view data) {
  return crc32c(0, data.data(), data.size());
}

}  // namespace fjord
