#include "serialization/envelope.hpp"

#include <cstring>

#include <fmt/format.h>

#include "serialization/crc32c.hpp"

namespace fjord {

namespace {

constexpr char magic[4] = {'F', 'J', 'R', 'D'};

void put_u16(char* p, std::uint16_t v) {
  p[0] = static_cast<char>(v & 0xFF);
  p[1] = static_cast<char>(v >> 8);
}

void put_u32(char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::uint16_t get_u16(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint16_t>(u[0] | (u[1] << 8));
}

std::uint32_t get_u32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | (static_cast<std::uint32_t>(u[1]) << 8)
         | (static_cast<std::uint32_t>(u[2]) << 16) | (static_cast<std::uint32_t>(u[3]) << 24);
}

}  // namespace

const char* to_string(record_type t) {
  switch (t) {
    case record_type::job_graph:
      return "job graph";
    case record_type::submitted_job_graph:
      return "submitted job graph";
    case record_type::completed_checkpoint:
      return "completed checkpoint";
    case record_type::state_handle:
      return "state handle";
    case record_type::leader_info:
      return "leader info";
    case record_type::job_result:
      return "job result";
    case record_type::test_payload:
      return "test payload";
  }
  return "unknown record type";
}

std::string seal(record_type type, std::string_view payload) {
  if (payload.size() > UINT32_MAX)
    throw std::length_error("record too large for the envelope");
  std::string out(envelope_header_size + payload.size(), '\0');
  std::memcpy(out.data(), magic, 4);
  put_u16(out.data() + 4, envelope_format_version);
  put_u16(out.data() + 6, static_cast<std::uint16_t>(type));
  put_u32(out.data() + 8, static_cast<std::uint32_t>(payload.size()));
  std::memcpy(out.data() + envelope_header_size, payload.data(), payload.size());
  auto crc = crc32c(0, out.data(), 12);
  crc = crc32c(crc, payload.data(), payload.size());
  put_u32(out.data() + 12, crc);
  return out;
}

std::string_view unseal(record_type expected, std::string_view bytes) {
  using k = envelope_error::kind;
  if (bytes.size() < envelope_header_size)
    throw envelope_error(k::truncated, fmt::format("truncated: {} bytes, shorter than the {}-byte "
                                                   "header",
                                                   bytes.size(), envelope_header_size));
  if (std::memcmp(bytes.data(), magic, 4) != 0)
    throw envelope_error(k::bad_magic, "not a Fjord record (bad magic)");
  auto version = get_u16(bytes.data() + 4);
  if (version != envelope_format_version)
    throw envelope_error(k::unsupported_version,
                         fmt::format("unsupported format version {} (this build reads {})",
                                     version, envelope_format_version));
  auto type = static_cast<record_type>(get_u16(bytes.data() + 6));
  if (type != expected)
    throw envelope_error(k::wrong_type,
                         fmt::format("holds a {} (type {}), expected a {}", to_string(type),
                                     static_cast<unsigned>(type), to_string(expected)));
  auto length = get_u32(bytes.data() + 8);
  if (bytes.size() - envelope_header_size != length)
    throw envelope_error(length > bytes.size() - envelope_header_size ? k::truncated
                                                                       : k::bad_length,
                         fmt::format("length mismatch: header says {} payload bytes, found {}",
                                     length, bytes.size() - envelope_header_size));
  auto crc = crc32c(0, bytes.data(), 12);
  crc = crc32c(crc, bytes.data() + envelope_header_size, length);
  if (crc != get_u32(bytes.data() + 12))
    throw envelope_error(k::checksum, "checksum mismatch (CRC-32C): the record is corrupt");
  return bytes.substr(envelope_header_size, length);
}

}  // namespace fjord
