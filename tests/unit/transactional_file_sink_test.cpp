// The exactly-once file sink: staging at barriers, committing on completion, and restores that
// commit what the restored checkpoint staged and drop what came after it.
#include <doctest/doctest.h>

#include <algorithm>

#include "operators/transactional_file_sink.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using namespace fjord::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<stream_operator> open_sink(const temp_dir& dir, std::int32_t subtask = 0,
                                           std::int32_t attempt = 0) {
  return open_operator<stream_operator>(
    "transactional_file", make_context({{"output_dir", dir.file("out")}}, subtask, 2, attempt));
}

void write_lines(stream_operator& sink, std::initializer_list<const char*> lines) {
  vector_collector unused;
  for (auto line : lines)
    sink.process(record::of(std::string{line}), unused);
  CHECK(unused.records.empty());
}

/// Every line of every committed file, files in name order.
std::vector<std::string> committed_lines(const temp_dir& dir) {
  std::vector<std::string> lines;
  for (auto& file : committed_output_files(dir.path() / "out")) {
    std::istringstream in{read_file(file.string())};
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> file_names(const temp_dir& dir) {
  std::vector<std::string> names;
  for (auto& entry : fs::directory_iterator{dir.path() / "out"})
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

using lines = std::vector<std::string>;

}  // namespace

TEST_CASE("transactional_file: the file names follow the documented scheme") {
  transactional_file_names names{test_job_id, 3};
  CHECK(names.in_progress(2, "00ff") == ".inprogress-01234567-3-2-00ff");
  CHECK(names.staged(17) == ".staged-01234567-3-17");
  CHECK(names.committed(17) == "part-01234567-3-0000000000000000017");
}

TEST_CASE("transactional_file: output is staged at the barrier and committed on completion") {
  temp_dir dir;
  auto sink = open_sink(dir);
  write_lines(*sink, {"a", "b"});
  auto state = sink->snapshot(1);
  CHECK(file_names(dir) == lines{".staged-01234567-0-1"});
  CHECK(committed_lines(dir).empty());
  sink->notify_checkpoint_complete(1);
  CHECK(file_names(dir) == lines{"part-01234567-0-0000000000000000001"});
  CHECK(committed_lines(dir) == lines{"a", "b"});
  // A barrier with nothing written since the last one stages nothing.
  sink->snapshot(2);
  sink->notify_checkpoint_complete(2);
  CHECK(file_names(dir) == lines{"part-01234567-0-0000000000000000001"});
  sink->close();
}

TEST_CASE("transactional_file: a staged checkpoint that never completed is committed by the "
          "next one") {
  temp_dir dir;
  auto sink = open_sink(dir);
  write_lines(*sink, {"a"});
  sink->snapshot(1);  // checkpoint 1 fails: no notification
  write_lines(*sink, {"b", "c"});
  sink->snapshot(2);
  CHECK(committed_lines(dir).empty());
  sink->notify_checkpoint_complete(2);
  CHECK(committed_lines(dir) == lines{"a", "b", "c"});
  CHECK(file_names(dir).size() == 2);
}

TEST_CASE("transactional_file: restore commits what the checkpoint staged and drops what came "
          "after it") {
  temp_dir dir;
  std::string state1;
  {
    auto sink = open_sink(dir);
    write_lines(*sink, {"a"});
    state1 = sink->snapshot(1);
    write_lines(*sink, {"b"});
    sink->snapshot(2);       // staged, never completed
    write_lines(*sink, {"c"});  // in progress when the task fails (no close())
    sink->snapshot(3);
    write_lines(*sink, {"d"});
  }
  CHECK(committed_lines(dir).empty());
  auto sink = open_sink(dir, 0, 1);
  sink->restore(state1, 1);
  CHECK(committed_lines(dir) == lines{"a"});
  CHECK(file_names(dir) == lines{"part-01234567-0-0000000000000000001"});
  // The replayed records are committed once with the next checkpoint.
  write_lines(*sink, {"b", "c", "d"});
  sink->snapshot(4);
  sink->notify_checkpoint_complete(4);
  CHECK(committed_lines(dir) == lines{"a", "b", "c", "d"});
}

TEST_CASE("transactional_file: restore accepts a pending checkpoint that was committed before "
          "the crash") {
  temp_dir dir;
  std::string state;
  {
    auto sink = open_sink(dir);
    write_lines(*sink, {"a", "b"});
    state = sink->snapshot(5);
    sink->notify_checkpoint_complete(5);  // committed, then the process dies
  }
  auto sink = open_sink(dir, 0, 1);
  sink->restore(state, 5);
  CHECK(committed_lines(dir) == lines{"a", "b"});
}

TEST_CASE("transactional_file: a crash in the middle of committing is finished by restore") {
  temp_dir dir;
  std::string state;
  {
    auto sink = open_sink(dir);
    write_lines(*sink, {"a"});
    sink->snapshot(1);
    write_lines(*sink, {"b"});
    state = sink->snapshot(2);  // pending: 1 and 2
  }
  // notify(2) renamed the file of checkpoint 1, then the process died before the second rename.
  fs::rename(dir.path() / "out" / ".staged-01234567-0-1",
             dir.path() / "out" / "part-01234567-0-0000000000000000001");
  auto sink = open_sink(dir, 0, 1);
  sink->restore(state, 2);
  CHECK(committed_lines(dir) == lines{"a", "b"});
  CHECK(file_names(dir) == lines{"part-01234567-0-0000000000000000001",
                                 "part-01234567-0-0000000000000000002"});
}

TEST_CASE("transactional_file: restore is idempotent") {
  temp_dir dir;
  std::string state;
  {
    auto sink = open_sink(dir);
    write_lines(*sink, {"a"});
    sink->snapshot(1);
    write_lines(*sink, {"b"});
    state = sink->snapshot(2);  // pending: 1 and 2
    write_lines(*sink, {"c"});
    sink->snapshot(3);
  }
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto sink = open_sink(dir, 0, attempt);
    sink->restore(state, 2);
    write_lines(*sink, {"c"});  // crashes again before the next barrier
    CHECK(committed_lines(dir) == lines{"a", "b"});
  }
  auto committed = committed_output_files(dir.path() / "out");
  REQUIRE(committed.size() == 2);
  CHECK(committed[0].filename() == "part-01234567-0-0000000000000000001");
  CHECK(committed[1].filename() == "part-01234567-0-0000000000000000002");
}

TEST_CASE("transactional_file: a missing staged file is an error on restore, not silent loss") {
  temp_dir dir;
  std::string state;
  {
    auto sink = open_sink(dir);
    write_lines(*sink, {"a"});
    state = sink->snapshot(1);
  }
  fs::remove(dir.path() / "out" / ".staged-01234567-0-1");
  auto sink = open_sink(dir, 0, 1);
  CHECK_THROWS_WITH_AS(sink->restore(state, 1), doctest::Contains(".staged-01234567-0-1"),
                       std::runtime_error);
}

TEST_CASE("transactional_file: a fresh start removes only its own subtask's dot-files") {
  temp_dir dir;
  fs::create_directories(dir.path() / "out");
  auto others = lines{".inprogress-01234567-1-0",  // another subtask
                      ".inprogress-01234567-10-0", // subtask 10 shares the prefix "1"
                      ".staged-01234567-1-3",  ".staged-01234567-10-3",
                      ".staged-abcdefab-0-3",      // another job
                      "part-01234567-0-0000000000000000001"};  // committed before
  auto own = lines{".inprogress-01234567-0-5", ".staged-01234567-0-3"};
  for (auto& name : others)
    write_file(dir.file("out/" + name), "x\n");
  for (auto& name : own)
    write_file(dir.file("out/" + name), "x\n");
  auto sink = open_sink(dir, 0, 6);
  write_lines(*sink, {"fresh"});
  sink->snapshot(7);
  sink->notify_checkpoint_complete(7);
  auto expected = others;
  expected.push_back("part-01234567-0-0000000000000000007");
  std::sort(expected.begin(), expected.end());
  CHECK(file_names(dir) == expected);
  CHECK(read_file(dir.file("out/part-01234567-0-0000000000000000001")) == "x\n");
  CHECK(read_file(dir.file("out/part-01234567-0-0000000000000000007")) == "fresh\n");
}

TEST_CASE("transactional_file: a zombie instance of the old leader and the new one (both "
          "attempt 0) never share a file: the zombie cannot stage the new one's records "
          "(issue 9, defect 2)") {
  temp_dir dir;
  auto zombie = open_sink(dir, 0, 0);
  write_lines(*zombie, {"zombie-1"});
  auto state = zombie->snapshot(4);
  write_lines(*zombie, {"zombie-2"});  // its next in-progress file is open
  // The new leader restores checkpoint 4 into a new instance; attempts restart at 0 under
  // each leader.
  auto fresh = open_sink(dir, 0, 0);
  fresh->restore(state, 4);
  write_lines(*fresh, {"new-1"});
  // Before the fix both used ".inprogress-J-0-0": the zombie's snapshot renamed the new
  // instance's file to its own staged name, and the new instance's snapshot then failed.
  CHECK_THROWS_WITH_AS(zombie->snapshot(5), doctest::Contains("cannot rename"),
                       std::runtime_error);
  fresh->snapshot(5);
  fresh->notify_checkpoint_complete(5);
  CHECK(committed_lines(dir) == lines{"zombie-1", "new-1"});
}

TEST_CASE("transactional_file: an in-progress file is never opened through a symlink") {
  temp_dir dir;
  auto sink = open_sink(dir, 0, 0);
  write_lines(*sink, {"a"});
  sink->snapshot(1);
  sink->notify_checkpoint_complete(1);
  // Whatever name a stranger guesses, the sink's next file has a fresh random one, created
  // with O_EXCL | O_NOFOLLOW: the planted link's target stays untouched.
  write_file(dir.file("secret"), "keep\n");
  // The name the sink used before the fix (attempt 0), which it opened with O_TRUNC.
  fs::create_symlink(dir.path() / "secret", dir.path() / "out" / ".inprogress-01234567-0-0");
  write_lines(*sink, {"b"});
  sink->snapshot(2);
  sink->notify_checkpoint_complete(2);
  CHECK(read_file(dir.file("secret")) == "keep\n");
  CHECK(committed_lines(dir) == lines{"a", "b"});
}

TEST_CASE("transactional_file: subtasks of one job write separate files into one directory") {
  temp_dir dir;
  auto s0 = open_sink(dir, 0);
  auto s1 = open_sink(dir, 1);
  write_lines(*s0, {"from 0"});
  write_lines(*s1, {"from 1"});
  s0->snapshot(1);
  s1->snapshot(1);
  s0->notify_checkpoint_complete(1);
  s1->notify_checkpoint_complete(1);
  CHECK(committed_lines(dir) == lines{"from 0", "from 1"});
  CHECK(validation_error("transactional_file", json::object()) ==
        "vertices[1].params.output_dir: missing parameter");
  CHECK(validation_error("transactional_file", {{"output_dir", ""}}) ==
        "vertices[1].params.output_dir: must not be empty");
}

TEST_CASE("transactional_file: committed_output_files skips dot-files and directories") {
  temp_dir dir;
  write_file(dir.file("part-b"), "");
  write_file(dir.file("part-a"), "");
  write_file(dir.file(".staged-x-0-1"), "");
  fs::create_directories(dir.path() / "sub");
  auto files = committed_output_files(dir.path());
  REQUIRE(files.size() == 2);
  CHECK(files[0].filename() == "part-a");
  CHECK(files[1].filename() == "part-b");
  CHECK_THROWS_AS(committed_output_files(dir.path() / "missing"), fs::filesystem_error);
}
