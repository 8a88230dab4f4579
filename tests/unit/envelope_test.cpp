// The persisted-record envelope: round trips, and clear errors for corrupt, truncated and
// foreign bytes.
#include <doctest/doctest.h>

#include "serialization/crc32c.hpp"
#include "serialization/envelope.hpp"
#include "serialization/records.hpp"

using namespace fjord;

namespace {

completed_checkpoint sample_checkpoint() {
  completed_checkpoint c;
  c.job_id = "0123456789abcdef0123456789abcdef";
  c.checkpoint_id = 17;
  c.timestamp_ms = 1000;
  c.completed_ms = 1004;
  c.states.push_back({"sums", 3, std::string("\0\1\2state", 8)});
  c.states.push_back({"out", 0, "staged"});
  return c;
}

std::string error_of(record_type expected, const std::string& bytes) {
  try {
    unseal(expected, bytes);
  } catch (const envelope_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("crc32c matches the published check value") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
}

TEST_CASE("a completed checkpoint survives encode and decode") {
  auto original = sample_checkpoint();
  auto decoded = decode<completed_checkpoint>(encode(original));
  CHECK(decoded.job_id == original.job_id);
  CHECK(decoded.checkpoint_id == 17);
  REQUIRE(decoded.states.size() == 2);
  CHECK(decoded.states[0].bytes == original.states[0].bytes);
  CHECK(decoded.states[1].vertex == "out");
}

TEST_CASE("a job graph survives encode and decode") {
  job_graph g;
  g.job_id = "0123456789abcdef0123456789abcdef";
  g.name = "sum";
  g.vertices.push_back({"numbers", "sequence", 4, R"({"from":1,"to":10})"});
  g.vertices.push_back({"sums", "keyed_sum", 2, R"({"keys":16})"});
  g.edges.push_back({"numbers", "sums", partitioning::hash});
  g.checkpoints.interval_ms = 100;
  g.restart.kind = restart_strategy_kind::exponential_delay;
  auto decoded = decode<job_graph>(encode(g));
  CHECK(decoded.vertices.size() == 2);
  CHECK(decoded.vertices[1].params_json == R"({"keys":16})");
  CHECK(decoded.edges[0].part == partitioning::hash);
  CHECK(decoded.checkpoints.interval_ms == 100);
  CHECK(decoded.restart.kind == restart_strategy_kind::exponential_delay);
}

TEST_CASE("every flipped payload byte is detected as a checksum mismatch") {
  auto bytes = encode(sample_checkpoint());
  for (std::size_t i = envelope_header_size; i < bytes.size(); ++i) {
    auto corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x20);
    CHECK_THROWS_AS(decode<completed_checkpoint>(corrupt), envelope_error);
  }
  auto corrupt = bytes;
  corrupt.back() ^= 1;
  CHECK(error_of(record_type::completed_checkpoint, corrupt).find("checksum mismatch")
        != std::string::npos);
}

TEST_CASE("truncated bytes are reported as truncated") {
  auto bytes = encode(sample_checkpoint());
  CHECK(error_of(record_type::completed_checkpoint, bytes.substr(0, 10)).find("truncated")
        != std::string::npos);
  CHECK(error_of(record_type::completed_checkpoint, bytes.substr(0, bytes.size() - 3))
          .find("length mismatch")
        != std::string::npos);
  CHECK(error_of(record_type::completed_checkpoint, "").find("truncated") != std::string::npos);
}

TEST_CASE("foreign bytes and the wrong record type are rejected by name") {
  CHECK(error_of(record_type::job_graph, "PK\x03\x04 this is a zip file, not ours")
          .find("bad magic")
        != std::string::npos);
  auto checkpoint_bytes = encode(sample_checkpoint());
  CHECK(error_of(record_type::job_graph, checkpoint_bytes)
          .find("holds a completed checkpoint")
        != std::string::npos);
  auto future = checkpoint_bytes;
  future[4] = 9;
  CHECK(error_of(record_type::completed_checkpoint, future).find("unsupported format version 9")
        != std::string::npos);
}

TEST_CASE("a sound envelope around an undecodable payload is reported as undecodable") {
  auto bytes = seal(record_type::completed_checkpoint, "\x05garbage");
  try {
    decode<completed_checkpoint>(bytes);
    FAIL("decode accepted garbage");
  } catch (const envelope_error& e) {
    CHECK(e.which() == envelope_error::kind::undecodable);
  }
}
