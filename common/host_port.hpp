// The one parser of "host:port" text that came from elsewhere: the leader address a JobManager
// wrote to ZooKeeper (which anyone who can write there may forge), --jobmanager, and
// jobmanager.address. It never throws; a refused text comes back with a one-line reason that
// shows the text escaped and truncated, so a 1 MB or binary value cannot flood a log line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fjord {

struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

struct host_port_result {
  std::optional<host_port> value;
  std::string error;  ///< why it was refused (empty on success), e.g. "port '99999' is not 1..65535"
};

/// Accepts "host:port" with a host of 1..253 characters from [A-Za-z0-9._-:[]] (names, IPv4,
/// IPv6 with the port after the last ':') and a decimal port 1..65535.
host_port_result parse_host_port(std::string_view text);

/// `bytes` for a log line: printable ASCII as is, anything else as \xNN, cut after `max_chars`
/// input bytes with "...(N bytes)".
std::string printable(std::string_view bytes, std::size_t max_chars = 80);

}  // namespace fjord
