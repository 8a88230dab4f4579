// The compact wire form of a record batch: exact round trips, and a clear error (never a crash,
// an over-read or a huge allocation) for every truncation and for corrupt bytes.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "messages/record_batch_codec.hpp"

using namespace fjord;

namespace {

std::vector<record> sample_records() {
  std::vector<record> rs;
  rs.push_back(record::of(42));
  rs.push_back(record::of(-1));
  rs.push_back(record::of(0));
  rs.push_back(record::of(std::string("text")));
  rs.push_back(record::of(std::string()));
  rs.push_back(record::of(std::string("word"), 7));
  rs.push_back(record::of(std::string("zero"), 0));
  rs.push_back(record::of(std::string("\0binary\xff", 8), INT64_MIN));
  rs.push_back(record{record_kind::number, INT64_MAX, "unused text is kept"});
  return rs;
}

std::vector<record> round_trip(const std::vector<record>& in) {
  std::vector<char> bytes;
  encode_record_batch(in, bytes);
  std::vector<record> out;
  auto problem = decode_record_batch(bytes.data(), bytes.size(), out);
  CHECK(problem == "");
  return out;
}

std::string problem_of(const std::vector<char>& bytes) {
  std::vector<record> out;
  return decode_record_batch(bytes.data(), bytes.size(), out);
}

}  // namespace

TEST_CASE("a record batch survives encode and decode exactly") {
  auto rs = sample_records();
  CHECK(round_trip(rs) == rs);
  CHECK(round_trip({}).empty());
  std::vector<record> long_text{record::of(std::string(70000, 'x'), 3), record::of(5)};
  CHECK(round_trip(long_text) == long_text);
  // text lengths at the boundaries of the varint's bytes
  std::vector<record> lengths;
  for (std::size_t n : {1, 127, 128, 16383, 16384, 2097152})
    lengths.push_back(record::of(std::string(n, 'y')));
  CHECK(round_trip(lengths) == lengths);
}

TEST_CASE("the wire form is compact: a number record takes 9 bytes, a short word 6 + 8") {
  std::vector<char> bytes;
  encode_record_batch(std::vector<record>(512, record::of(123456)), bytes);
  CHECK(bytes.size() == 4 + 512 * 9);
  encode_record_batch({}, bytes);
  CHECK(bytes.size() == 4);
  encode_record_batch({record::of(std::string("word"), 3)}, bytes);
  CHECK(bytes.size() == 4 + 1 + 8 + 1 + 4);
}

TEST_CASE("every truncation of a record batch is rejected with an error") {
  std::vector<char> bytes;
  encode_record_batch(sample_records(), bytes);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    // A copy of exactly n bytes: an over-read shows under the address sanitizer.
    std::vector<char> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    INFO("cut to " << n << " of " << bytes.size() << " bytes");
    CHECK(problem_of(cut) != "");
  }
  CHECK(problem_of(bytes) == "");
}

TEST_CASE("corrupt record batches are rejected with an error that says what is wrong") {
  std::vector<char> bytes;
  encode_record_batch({record::of(std::string("abc"), 9)}, bytes);
  // count 1 | header | number (8) | length (varint, 1 byte) | "abc"
  REQUIRE(bytes.size() == 4 + 1 + 8 + 1 + 3);
  auto with_length = [&](std::vector<char> varint) {
    std::vector<char> b(bytes.begin(), bytes.begin() + 13);
    for (char c : varint)
      b.push_back(c);
    for (char c : std::string("abc"))
      b.push_back(c);
    return b;
  };
  REQUIRE(with_length({3}) == bytes);

  auto trailing = bytes;
  trailing.push_back('!');
  CHECK(problem_of(trailing) == "1 bytes after the last of 1 records");

  auto bad_kind = bytes;
  bad_kind[4] = static_cast<char>((bad_kind[4] & ~0x03) | 0x03);
  CHECK(problem_of(bad_kind).find("corrupt header") != std::string::npos);

  auto unknown_bit = bytes;
  unknown_bit[4] = static_cast<char>(unknown_bit[4] | 0x80);
  CHECK(problem_of(unknown_bit).find("corrupt header") != std::string::npos);

  auto huge_count = bytes;
  std::uint32_t count = 0xFFFFFFFFu;
  std::memcpy(huge_count.data(), &count, 4);
  CHECK(problem_of(huge_count).find("record count 4294967295 exceeds") != std::string::npos);

  // 2^31 - 1 as a varint: refused before anything is allocated
  CHECK(problem_of(with_length({'\xff', '\xff', '\xff', '\xff', '\x07'}))
          .find("text of 2147483647 bytes exceeds the 3 bytes left") != std::string::npos);
  // more than 32 bits, and a varint longer than 5 bytes
  CHECK(problem_of(with_length({'\xff', '\xff', '\xff', '\xff', '\x1f'}))
          .find("corrupt text length") != std::string::npos);
  CHECK(problem_of(with_length({'\x83', '\x80', '\x80', '\x80', '\x80', '\x00'}))
          .find("corrupt text length") != std::string::npos);
  // a non-minimal varint of the right value is accepted
  CHECK(problem_of(with_length({'\x83', '\x00'})) == "");

  CHECK(problem_of(with_length({0})).find("empty text") != std::string::npos);
}

TEST_CASE("decoding replaces what the vector held") {
  std::vector<char> bytes;
  encode_record_batch({record::of(1)}, bytes);
  std::vector<record> out{record::of(7), record::of(8)};
  REQUIRE(decode_record_batch(bytes.data(), bytes.size(), out) == "");
  CHECK(out == std::vector<record>{record::of(1)});
}
