#include "common/host_port.hpp"

#include <fmt/format.h>

namespace fjord {

namespace {

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
         || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
}

}  // namespace

host_port_result parse_host_port(std::string_view text) {
  host_port_result result;
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    result.error = fmt::format("'{}' is not host:port", printable(text));
    return result;
  }
  auto host = text.substr(0, colon);
  auto port = text.substr(colon + 1);
  if (host.empty() || host.size() > 253) {
    result.error = fmt::format("'{}' has {} host", printable(text),
                               host.empty() ? "an empty" : "a too long");
    return result;
  }
  for (char c : host)
    if (!host_char(c)) {
      result.error = fmt::format("'{}' has a host with a character that no host name has",
                                 printable(text));
      return result;
    }
  unsigned value = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') {
      digits = false;
      break;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!digits || value < 1 || value > 65535) {
    result.error = fmt::format("'{}' is not a port (1..65535)", printable(port));
    return result;
  }
  result.value = host_port{std::string(host), static_cast<std::uint16_t>(value)};
  return result;
}

std::string printable(std::string_view bytes, std::size_t max_chars) {
  std::string out;
  auto n = std::min(bytes.size(), max_chars);
  out.reserve(n + 16);
  for (std::size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  if (bytes.size() > n)
    out += fmt::format("...({} bytes)", bytes.size());
  return out;
}

}  // namespace fjord
