// The built-in sources: how sequence and file_lines split their input over subtasks, replay
// from a snapshot, and rate-limit without sleeping.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <map>

#include "operators/rate_limiter.hpp"
#include "fjord/spec_error.hpp"
#include "fjord/state_bytes.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using namespace fjord::testing;
using nlohmann::json;
using poll_status = source_operator::poll_status;

namespace {

std::vector<std::int64_t> numbers_of(const std::vector<record>& records) {
  std::vector<std::int64_t> result;
  for (auto& r : records) {
    CHECK(r.kind == record_kind::number);
    result.push_back(r.number);
  }
  return result;
}

std::vector<std::string> texts_of(const std::vector<record>& records) {
  std::vector<std::string> result;
  for (auto& r : records) {
    CHECK(r.kind == record_kind::text);
    result.push_back(r.text);
  }
  return result;
}

}  // namespace

TEST_CASE("sequence: the subtasks together emit from..to exactly once, in contiguous ranges") {
  struct shape {
    std::int64_t from, to;
    std::int32_t parallelism;
  };
  for (auto s : {shape{1, 1000, 4}, shape{-5, 7, 3}, shape{1, 3, 5}, shape{10, 10, 1},
                 shape{0, 99, 7}}) {
    CAPTURE(s.from);
    CAPTURE(s.to);
    CAPTURE(s.parallelism);
    std::vector<std::int64_t> all;
    std::size_t smallest = SIZE_MAX, largest = 0;
    for (std::int32_t i = 0; i < s.parallelism; ++i) {
      auto source = open_operator<source_operator>(
        "sequence", make_context({{"from", s.from}, {"to", s.to}}, i, s.parallelism));
      auto values = numbers_of(drain(*source));
      // Each subtask's range is contiguous and in order, and follows the previous one.
      for (std::size_t k = 1; k < values.size(); ++k)
        CHECK(values[k] == values[k - 1] + 1);
      if (!values.empty() && !all.empty())
        CHECK(values.front() == all.back() + 1);
      smallest = std::min(smallest, values.size());
      largest = std::max(largest, values.size());
      all.insert(all.end(), values.begin(), values.end());
    }
    REQUIRE(all.size() == static_cast<std::size_t>(s.to - s.from + 1));
    CHECK(all.front() == s.from);
    CHECK(all.back() == s.to);
    CHECK(largest - smallest <= 1);
  }
}

TEST_CASE("sequence: a restored subtask continues exactly where the snapshot was taken") {
  auto params = json{{"from", 1}, {"to", 100}};
  auto first = open_operator<source_operator>("sequence", make_context(params, 1, 3));
  vector_collector before;
  CHECK(first->poll(before, 10).status == poll_status::more);
  auto state = first->snapshot(1);
  auto continuation = numbers_of(drain(*first));
  REQUIRE(before.records.size() == 10);
  REQUIRE(!continuation.empty());
  CHECK(continuation.front() == before.records.back().number + 1);

  auto replay = open_operator<source_operator>("sequence", make_context(params, 1, 3, 1));
  replay->restore(state, 1);
  CHECK(numbers_of(drain(*replay, 3)) == continuation);
}

TEST_CASE("sequence: a position outside the subtask's range is rejected on restore") {
  auto source = open_operator<source_operator>("sequence", make_context({{"from", 1}, {"to", 4}}));
  CHECK_THROWS_WITH_AS(source->restore(to_bytes(std::int64_t{5}), 1),
                       doctest::Contains("outside this subtask's range"), std::runtime_error);
  CHECK_THROWS_AS(source->restore("x", 1), std::runtime_error);
}

TEST_CASE("sequence: a rate-limited source returns idle with a positive wait instead of sleeping") {
  auto source = open_operator<source_operator>(
    "sequence", make_context({{"from", 1}, {"to", 1000}, {"rate_per_subtask", 10}}));
  vector_collector out;
  auto result = source->poll(out, 100);
  CHECK(result.status == poll_status::idle);
  CHECK(result.wait.count() > 0);
  CHECK(out.records.size() < 100);
  // The next poll right away gets nothing more than the bucket allows.
  auto before = out.records.size();
  result = source->poll(out, 100);
  CHECK(result.status == poll_status::idle);
  CHECK(result.wait.count() > 0);
  CHECK(out.records.size() <= before + 1);
}

TEST_CASE("rate_limiter: grants tokens at the configured rate and names the wait") {
  rate_limiter limiter{100};  // one record per 10 ms, bucket of one
  auto t0 = rate_limiter::clock::time_point{} + std::chrono::hours{1};
  CHECK(limiter.acquire(50, t0) == 1);
  CHECK(limiter.acquire(50, t0) == 0);
  CHECK(limiter.wait_until_next(t0) == std::chrono::milliseconds{10});
  CHECK(limiter.acquire(50, t0 + std::chrono::milliseconds{5}) == 0);
  CHECK(limiter.acquire(50, t0 + std::chrono::milliseconds{10}) == 1);
  // A long pause does not build up a burst beyond the bucket (10 ms worth, at least 1).
  CHECK(limiter.acquire(50, t0 + std::chrono::seconds{10}) == 1);
  rate_limiter unlimited{0};
  CHECK(unlimited.acquire(50, t0) == 50);
}

TEST_CASE("sequence: parameters are validated with the field named") {
  CHECK(validation_error("sequence", {{"from", 5}, {"to", 1}}) ==
        "vertices[1].params.to: must be >= from (5), got 1");
  CHECK(validation_error("sequence", {{"to", 1}}) ==
        "vertices[1].params.from: missing parameter");
  CHECK(validation_error("sequence", {{"from", "1"}, {"to", 1}}) ==
        "vertices[1].params.from: must be an integer, got \"1\"");
  CHECK(validation_error("sequence", {{"from", 1}, {"to", 2}, {"rate_per_subtask", -1}}) ==
        "vertices[1].params.rate_per_subtask: must be >= 0 (0 = unlimited)");
  CHECK(validation_error("sequence", {{"from", 1}, {"to", 2}, {"rate", 5}}) ==
        "vertices[1].params.rate: unknown parameter (expected one of: from, to, "
        "rate_per_subtask)");
  CHECK(validation_error("sequence", {{"from", 1}, {"to", 2}}) == "no error");
}

TEST_CASE("sequence: parameters past the client's validation fail open(), never overflow the "
          "split") {
  // to < from, and a range of 2^64 values: the subtask split would be negative or overflow.
  CHECK_THROWS_WITH_AS(
    open_operator<source_operator>("sequence", make_context({{"from", 5}, {"to", 1}})),
    "vertices[0].params.to: must be >= from (5), got 1", spec_error);
  CHECK_THROWS_AS(open_operator<source_operator>(
                    "sequence", make_context({{"from", INT64_MIN}, {"to", INT64_MAX}})),
                  spec_error);
}

TEST_CASE("file_lines: the subtasks together emit every line once, CRLF and last line handled") {
  temp_dir dir;
  auto path = dir.file("input.txt");
  write_file(path, "alpha beta\r\n\ngamma\r\ndelta epsilon zeta\n\n\nlast line without newline");
  std::vector<std::string> expected{"alpha beta", "", "gamma", "delta epsilon zeta", "", "",
                                    "last line without newline"};
  for (std::int32_t p = 1; p <= 9; ++p) {
    CAPTURE(p);
    std::vector<std::string> all;
    for (std::int32_t i = 0; i < p; ++i) {
      auto source =
        open_operator<source_operator>("file_lines", make_context({{"path", path}}, i, p));
      auto lines = texts_of(drain(*source, 2));
      all.insert(all.end(), lines.begin(), lines.end());
    }
    CHECK(all == expected);
  }
}

TEST_CASE("file_lines: a restored subtask resumes at the snapshot's byte offset") {
  temp_dir dir;
  auto path = dir.file("input.txt");
  write_file(path, "one\r\ntwo\n\nthree\r\nfour\nfive\r\nsix\nseven");
  for (std::int32_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    auto params = json{{"path", path}};
    auto first = open_operator<source_operator>("file_lines", make_context(params, i, 2));
    vector_collector before;
    CHECK(first->poll(before, 1).status == poll_status::more);
    auto state = first->snapshot(4);
    auto continuation = texts_of(drain(*first, 1));
    REQUIRE(continuation.size() >= 2);

    auto replay = open_operator<source_operator>("file_lines", make_context(params, i, 2, 1));
    replay->restore(state, 4);
    CHECK(texts_of(drain(*replay, 100)) == continuation);
  }
  // The last subtask's continuation ends with the line that has no newline.
  auto last = open_operator<source_operator>("file_lines", make_context({{"path", path}}, 1, 2));
  CHECK(texts_of(drain(*last)).back() == "seven");
}

TEST_CASE("file_lines: an empty file is exhausted at once, a snapshot before the first poll "
          "replays everything") {
  temp_dir dir;
  write_file(dir.file("empty.txt"), "");
  auto empty = open_operator<source_operator>("file_lines",
                                              make_context({{"path", dir.file("empty.txt")}}));
  vector_collector out;
  CHECK(empty->poll(out, 10).status == poll_status::exhausted);
  CHECK(out.records.empty());

  write_file(dir.file("two.txt"), "a\nb\n");
  auto params = json{{"path", dir.file("two.txt")}};
  auto first = open_operator<source_operator>("file_lines", make_context(params));
  auto state = first->snapshot(1);
  auto replay = open_operator<source_operator>("file_lines", make_context(params));
  replay->restore(state, 1);
  CHECK(texts_of(drain(*replay)) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("file_lines: rate limiting returns idle with a positive wait") {
  temp_dir dir;
  std::string content;
  for (int i = 0; i < 100; ++i)
    content += "line " + std::to_string(i) + "\n";
  write_file(dir.file("in.txt"), content);
  auto source = open_operator<source_operator>(
    "file_lines", make_context({{"path", dir.file("in.txt")}, {"rate_per_subtask", 5}}));
  vector_collector out;
  auto result = source->poll(out, 50);
  CHECK(result.status == poll_status::idle);
  CHECK(result.wait.count() > 0);
  CHECK(out.records.size() < 50);
}

TEST_CASE("file_lines: a file that cannot be read fails validation naming the field") {
  temp_dir dir;
  auto missing = dir.file("no-such-file.txt");
  auto message = validation_error("file_lines", {{"path", missing}});
  CHECK(message.rfind("vertices[1].params.path: cannot read file '" + missing + "'", 0) == 0);
  CHECK(validation_error("file_lines", json::object()) ==
        "vertices[1].params.path: missing parameter");
  CHECK(validation_error("file_lines", {{"path", dir.path().string()}}) ==
        "vertices[1].params.path: '" + dir.path().string() +
          "' is a directory, expected a text file");
}

TEST_CASE("rate_limiter: a longer burst holds more and names the wait for several tokens") {
  rate_limiter limiter{2000, std::chrono::milliseconds{100}};  // bucket of 200
  auto t0 = rate_limiter::clock::time_point{} + std::chrono::hours{1};
  CHECK(limiter.acquire(1000, t0) == 200);
  CHECK(limiter.wait_until_available(100, t0) == std::chrono::milliseconds{50});
  CHECK(limiter.wait_until_available(1000, t0) == std::chrono::milliseconds{100});  // capped
  // A poll 30 ms late still gets everything that accrued: nothing lost to a full bucket.
  CHECK(limiter.acquire(1000, t0 + std::chrono::milliseconds{80}) == 160);
  CHECK(limiter.acquire(1000, t0 + std::chrono::seconds{10}) == 200);
}

TEST_CASE("sequence: a rate-limited source waits for a step of records, keeping the rate") {
  auto source = open_operator<source_operator>(
    "sequence", make_context({{"from", 1}, {"to", 100000}, {"rate_per_subtask", 1000}}));
  vector_collector out;
  auto result = source->poll(out, 1024);
  CHECK(result.status == poll_status::idle);
  CHECK(out.records.size() == 100);  // the bucket: 100 ms worth
  CHECK(result.wait == std::chrono::milliseconds{50});  // then 50 ms worth at a time
}
