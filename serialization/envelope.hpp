// The envelope around every persisted record (files under the recovery directory, znode
// payloads): a 16-byte header, then the cereal payload.
//
//   offset 0  magic "FJRD"
//          4  format version (u16, little endian), currently 1
//          6  record type tag (u16)
//          8  payload length (u32)
//         12  CRC-32C over bytes 0..11 and the payload (u32)
//
// Corrupt, truncated or foreign bytes raise envelope_error with a message that says which
// check failed, so "file X is corrupt (checksum mismatch)" reaches the operator instead of
// garbage or a crash.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fjord {

enum class record_type : std::uint16_t {
  job_graph = 1,
  submitted_job_graph = 2,
  completed_checkpoint = 3,
  state_handle = 4,
  leader_info = 5,
  job_result = 6,
  test_payload = 100,  ///< for tests of the envelope and the stores
};

const char* to_string(record_type t);

constexpr std::uint16_t envelope_format_version = 1;
constexpr std::size_t envelope_header_size = 16;

class envelope_error : public std::runtime_error {
 public:
  enum class kind { truncated, bad_magic, unsupported_version, wrong_type, bad_length, checksum,
                    undecodable };
  envelope_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
  kind which() const { return kind_; }

 private:
  kind kind_;
};

/// Wraps `payload` in an envelope of type `type`.
std::string seal(record_type type, std::string_view payload);

/// Checks the envelope and returns a view of the payload inside `bytes`.
/// Throws envelope_error if the bytes are not a sound envelope of type `expected`.
std::string_view unseal(record_type expected, std::string_view bytes);

}  // namespace fjord
