// Content hashes of plugin binaries: the name under which the plugin cache keeps a file and the
// check that fetched bytes are the ones announced.
#pragma once

#include <string>
#include <string_view>

namespace fjord {

/// SHA-256 of `bytes` as 64 lowercase hexadecimal digits (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);

/// True if `text` has the form sha256_hex() returns: 64 lowercase hexadecimal digits.
bool is_sha256_hex(std::string_view text);

}  // namespace fjord
