// The one host:port parser of addresses from elsewhere (/leader, --jobmanager,
// jobmanager.address, the quorum): what it accepts, that it refuses everything else with a
// reason instead of throwing, and that the reason shows hostile bytes escaped and short.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/host_port.hpp"

using namespace fjord;

TEST_CASE("host:port: names, IPv4 and IPv6 with ports 1..65535 are accepted") {
  auto ok = [](const std::string& text, const std::string& host, int port) {
    auto r = parse_host_port(text);
    REQUIRE_MESSAGE(r.value, text);
    CHECK(r.error.empty());
    CHECK(r.value->host == host);
    CHECK(r.value->port == port);
  };
  ok("127.0.0.1:6123", "127.0.0.1", 6123);
  ok("jm-1.example_org:1", "jm-1.example_org", 1);
  ok("::1:65535", "::1", 65535);
  ok("[::1]:80", "[::1]", 80);
  ok("localhost:00080", "localhost", 80);
}

TEST_CASE("host:port: everything else is refused with a reason, never an exception") {
  for (const std::string& bad : std::vector<std::string>{"", ":", "h:x", "host", "host:", ":80", "host:0", "host:65536", "host:99999",
        "host:123456", "host:-1", "host:+80", "host: 80", "ho st:80", "host:80 ", "h\n:80",
        std::string("h\0st:80", 7), std::string(254, 'a') + ":80", "host:4294967377"}) {
    INFO(printable(bad));
    auto r = parse_host_port(bad);
    CHECK_FALSE(r.value);
    CHECK_FALSE(r.error.empty());
    CHECK(r.error.find('\n') == std::string::npos);
    CHECK(r.error.find('\0') == std::string::npos);
  }
  auto r = parse_host_port("host:99999");
  CHECK(r.error == "'99999' is not a port (1..65535)");
  auto huge = parse_host_port(std::string(1 << 20, 'a') + ":1");
  CHECK(huge.error.size() < 300);
}

TEST_CASE("printable: control and non-ASCII bytes escaped, long input cut with its size") {
  CHECK(printable("plain text") == "plain text");
  CHECK(printable(std::string("a\0\x1b[2J\xff\\", 8)) == "a\\x00\\x1b[2J\\xff\\x5c");
  CHECK(printable(std::string(100, 'x'), 10) == "xxxxxxxxxx...(100 bytes)");
}
