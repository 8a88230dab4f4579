// The example checkers' logic: output produced by the real operators (run in-process, with a
// crash and restore in the middle) passes; a duplicate, a missing value, a wrong running sum and
// a malformed line each fail with a message that names them.
#include <doctest/doctest.h>

#include <map>

#include "examples/checkers/exactly_once_sum_check.hpp"
#include "examples/checkers/word_count_check.hpp"
#include "operators/job_spec.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using namespace fjord::testing;
using namespace fjord::checkers;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A synchronous stand-in for the runtime: a chain of a source and stream stages, each edge
/// hash, rebalance or forward. A checkpoint snapshots everything between two rounds, so no
/// record is in flight. It can crash after staging a checkpoint that never completes and
/// restore every subtask from the last completed one, as the job manager would.
class mini_pipeline {
 public:
  struct stage {
    std::string op;
    json params;
    std::int32_t parallelism = 1;
    partitioning input = partitioning::forward;  ///< the edge into this stage
  };

  mini_pipeline(stage source, std::vector<stage> stages)
    : source_(std::move(source)), stages_(std::move(stages)) {
    for (auto& s : stages_)
      selectors_.push_back(
        operator_registry::global().key_selector_for(s.op, operator_params{s.params, "p"}));
    next_.assign(stages_.size(), 0);
    deploy(0);
  }

  /// Runs to the end. Checkpoint every `rounds_per_checkpoint` rounds; at `crash_at_round`,
  /// stage a checkpoint that never completes, process a bit more, then fail and restore.
  void run(int rounds_per_checkpoint, int crash_at_round) {
    int round = 0;
    while (!all_exhausted()) {
      ++round;
      poll_round();
      if (round % rounds_per_checkpoint == 0)
        complete(checkpoint());
      if (round == crash_at_round) {
        checkpoint();  // staged by the sinks, never notified
        poll_round();
        restore_latest();
      }
    }
    complete(checkpoint());  // the final checkpoint
    for (auto& subtasks : operators_)
      for (auto& op : subtasks)
        op->close();
  }

 private:
  using states = std::map<std::string, std::string>;

  void deploy(std::int32_t attempt) {
    sources_.clear();
    operators_.clear();
    exhausted_.assign(static_cast<std::size_t>(source_.parallelism), false);
    for (std::int32_t i = 0; i < source_.parallelism; ++i)
      sources_.push_back(open_operator<source_operator>(
        source_.op, make_context(source_.params, i, source_.parallelism, attempt)));
    for (auto& s : stages_) {
      operators_.emplace_back();
      for (std::int32_t i = 0; i < s.parallelism; ++i)
        operators_.back().push_back(
          open_operator<stream_operator>(s.op, make_context(s.params, i, s.parallelism, attempt)));
    }
  }

  bool all_exhausted() const {
    return std::all_of(exhausted_.begin(), exhausted_.end(), [](bool b) { return b; });
  }

  void deliver(std::size_t stage, std::size_t from_subtask, const record& r) {
    auto p = operators_[stage].size();
    std::size_t target = from_subtask;
    if (stages_[stage].input == partitioning::hash)
      target = selectors_[stage](r) % p;
    else if (stages_[stage].input == partitioning::rebalance)
      target = next_[stage]++ % p;
    vector_collector out;
    operators_[stage][target]->process(r, out);
    if (stage + 1 < stages_.size())
      for (auto& o : out.records)
        deliver(stage + 1, target, o);
    else
      CHECK(out.records.empty());
  }

  void poll_round() {
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (exhausted_[i])
        continue;
      vector_collector out;
      auto result = sources_[i]->poll(out, 13);
      exhausted_[i] = result.status == source_operator::poll_status::exhausted;
      for (auto& r : out.records)
        deliver(0, i, r);
    }
  }

  static std::string name(std::size_t stage, std::size_t subtask) {
    return std::to_string(stage) + "/" + std::to_string(subtask);
  }

  std::int64_t checkpoint() {
    auto id = ++last_checkpoint_id_;
    states taken;
    for (std::size_t i = 0; i < sources_.size(); ++i)
      taken["source/" + std::to_string(i)] = sources_[i]->snapshot(id);
    for (std::size_t s = 0; s < operators_.size(); ++s)
      for (std::size_t i = 0; i < operators_[s].size(); ++i)
        taken[name(s, i)] = operators_[s][i]->snapshot(id);
    pending_[id] = std::move(taken);
    return id;
  }

  void complete(std::int64_t id) {
    completed_id_ = id;
    completed_ = pending_.at(id);
    for (auto& subtasks : operators_)
      for (auto& op : subtasks)
        op->notify_checkpoint_complete(id);
  }

  void restore_latest() {
    deploy(++attempt_);
    if (completed_id_ == 0)
      return;  // no checkpoint completed yet: a fresh start
    for (std::size_t i = 0; i < sources_.size(); ++i)
      sources_[i]->restore(completed_.at("source/" + std::to_string(i)), completed_id_);
    for (std::size_t s = 0; s < operators_.size(); ++s)
      for (std::size_t i = 0; i < operators_[s].size(); ++i)
        operators_[s][i]->restore(completed_.at(name(s, i)), completed_id_);
  }

  stage source_;
  std::vector<stage> stages_;
  std::vector<key_selector> selectors_;
  std::vector<std::size_t> next_;
  std::vector<std::unique_ptr<source_operator>> sources_;
  std::vector<std::vector<std::unique_ptr<stream_operator>>> operators_;
  std::vector<bool> exhausted_;
  std::int64_t last_checkpoint_id_ = 0;
  std::int64_t completed_id_ = 0;
  states completed_;
  std::map<std::int64_t, states> pending_;
  std::int32_t attempt_ = 0;
};

/// Output of the sum job for from..to, run through the real operators with one crash.
void run_sum_job(const std::string& output_dir, std::int64_t to, std::int64_t keys,
                 int crash_at_round) {
  mini_pipeline pipeline{
    {"sequence", {{"from", 1}, {"to", to}}, 4},
    {{"keyed_sum", {{"keys", keys}}, 4, partitioning::hash},
     {"transactional_file", {{"output_dir", output_dir}}, 2, partitioning::rebalance}}};
  pipeline.run(5, crash_at_round);
}

/// Rewrites the committed file holding `needle` with `edit` applied to its lines.
template <class Edit>
void edit_committed(const std::string& dir, Edit edit) {
  for (auto& path : committed_output_files(dir)) {
    std::vector<std::string> lines;
    std::istringstream in{read_file(path.string())};
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    if (!edit(lines))
      continue;
    std::string text;
    for (auto& line : lines)
      text += line + "\n";
    write_file(path.string(), text);
    return;
  }
  FAIL("no committed file was edited");
}

exactly_once_sum_params sum_params(const temp_dir& dir, std::int64_t to = 2000,
                                   std::int64_t keys = 16) {
  return {dir.file("out"), 1, to, keys};
}

}  // namespace

TEST_CASE("check_exactly_once_sum: the operators' output after a crash and restore passes") {
  temp_dir dir;
  run_sum_job(dir.file("out"), 2000, 16, 12);
  auto result = check_exactly_once_sum(sum_params(dir));
  CHECK_MESSAGE(result.passed, result.verdict);
  CHECK(result.verdict.rfind("PASS: 2000 values exactly once, 16 keys, prefix sums exact (", 0) ==
        0);
  // A crash before the first checkpoint completes restarts from scratch, also exactly once.
  temp_dir early;
  run_sum_job(early.file("out"), 500, 3, 2);
  auto fresh = check_exactly_once_sum(sum_params(early, 500, 3));
  CHECK_MESSAGE(fresh.passed, fresh.verdict);
}

TEST_CASE("check_exactly_once_sum: exactly once whichever round the crash hits") {
  for (int crash_at_round = 1; crash_at_round <= 8; ++crash_at_round) {  // the job takes 8 rounds
    CAPTURE(crash_at_round);
    temp_dir dir;
    run_sum_job(dir.file("out"), 400, 5, crash_at_round);
    auto result = check_exactly_once_sum(sum_params(dir, 400, 5));
    CHECK_MESSAGE(result.passed, result.verdict);
  }
}

TEST_CASE("check_exactly_once_sum: a duplicated line fails and names the value") {
  temp_dir dir;
  run_sum_job(dir.file("out"), 2000, 16, 12);
  std::string duplicated;
  edit_committed(dir.file("out"), [&](std::vector<std::string>& lines) {
    duplicated = lines.at(3);
    lines.push_back(duplicated);
    return true;
  });
  auto value = std::string{split_fields(duplicated).at(1)};
  auto result = check_exactly_once_sum(sum_params(dir));
  CHECK_FALSE(result.passed);
  CHECK_MESSAGE(contains(result.verdict, "1 duplicated values (" + value + " x2)"),
                result.verdict);
  CHECK(result.verdict.rfind("FAIL: ", 0) == 0);
}

TEST_CASE("check_exactly_once_sum: a missing value fails and names it") {
  temp_dir dir;
  run_sum_job(dir.file("out"), 2000, 16, 12);
  std::string removed;
  edit_committed(dir.file("out"), [&](std::vector<std::string>& lines) {
    removed = lines.at(0);
    lines.erase(lines.begin());
    return true;
  });
  auto value = std::string{split_fields(removed).at(1)};
  auto result = check_exactly_once_sum(sum_params(dir));
  CHECK_FALSE(result.passed);
  CHECK_MESSAGE(contains(result.verdict, "1 missing values (" + value + ")"), result.verdict);
}

TEST_CASE("check_exactly_once_sum: a wrong running sum fails and names the line") {
  temp_dir dir;
  run_sum_job(dir.file("out"), 2000, 16, 12);
  std::string changed;
  edit_committed(dir.file("out"), [&](std::vector<std::string>& lines) {
    auto fields = split_fields(lines.at(5));
    std::int64_t sum = 0;
    REQUIRE(parse_int64(fields.at(2), sum));
    changed = std::string{fields[0]} + " " + std::string{fields[1]} + " " +
              std::to_string(sum + 1);
    lines[5] = changed;
    return true;
  });
  auto result = check_exactly_once_sum(sum_params(dir));
  CHECK_FALSE(result.passed);
  CHECK_MESSAGE(contains(result.verdict, "wrong running sums ('" + changed + "' at part-"),
                result.verdict);
}

TEST_CASE("check_exactly_once_sum: malformed lines and wrong keys fail and are named") {
  temp_dir dir;
  run_sum_job(dir.file("out"), 2000, 16, 12);
  edit_committed(dir.file("out"), [&](std::vector<std::string>& lines) {
    lines.push_back("3 oops 7");
    lines.push_back("5 21 21");  // 21 mod 16 is 5... but 21 is then a duplicate
    lines.push_back("4 21 21");  // wrong key
    return true;
  });
  auto result = check_exactly_once_sum(sum_params(dir));
  CHECK_FALSE(result.passed);
  CHECK_MESSAGE(contains(result.verdict, "1 malformed lines ('3 oops 7' at part-"),
                result.verdict);
  CHECK_MESSAGE(contains(result.verdict, "1 lines with a wrong key ('4 21 21' at part-"),
                result.verdict);
}

TEST_CASE("check_exactly_once_sum: a missing output directory or bad range gives no verdict") {
  temp_dir dir;
  CHECK_THROWS_WITH_AS(check_exactly_once_sum(sum_params(dir)),
                       doctest::Contains("does not exist (has the job run?)"), usage_error);
  CHECK_THROWS_AS(check_exactly_once_sum({dir.path().string(), 5, 1, 16}), usage_error);
  CHECK_THROWS_AS(check_exactly_once_sum({dir.path().string(), 1, 5, 0}), usage_error);
  // An empty (but existing) output directory is a FAIL, not a pass.
  auto empty = check_exactly_once_sum({dir.path().string(), 1, 5, 2});
  CHECK_FALSE(empty.passed);
  CHECK(contains(empty.verdict, "5 missing values (1, 2, 3, 4, 5)"));
}

TEST_CASE("check_exactly_once_sum: the parameters come from the example job spec") {
  auto repo = std::filesystem::path{__FILE__}.parent_path().parent_path().parent_path();
  auto graph = load_job_spec((repo / "examples/jobs/exactly_once_sum.json").string(),
                             operator_registry::global(), {"out.output_dir=/tmp/elsewhere"});
  auto p = exactly_once_sum_params_from(graph);
  CHECK(p.from == 1);
  CHECK(p.to == 1000000);
  CHECK(p.keys == 16);
  CHECK(p.output_dir == "/tmp/elsewhere");
}

namespace {

/// Output of the word-count job over `input`, run through the real operators with one crash.
void run_word_count_job(const std::string& input, const std::string& output_dir,
                        int crash_at_round) {
  mini_pipeline pipeline{
    {"file_lines", {{"path", input}}, 2},
    {{"tokenize", json::object(), 2, partitioning::rebalance},
     {"word_count", json::object(), 2, partitioning::hash},
     {"transactional_file", {{"output_dir", output_dir}}, 2, partitioning::forward}}};
  pipeline.run(3, crash_at_round);
}

std::string example_input() {
  std::string text;
  for (int i = 0; i < 60; ++i)
    text += "The cat and the dog, line " + std::to_string(i % 7) + ".\r\n" +
            (i % 5 == 0 ? "\n" : "") + "A dog; a CAT -- the end\n";
  return text + "the last line";
}

}  // namespace

TEST_CASE("check_word_count: the operators' output after a crash and restore passes") {
  temp_dir dir;
  write_file(dir.file("in.txt"), example_input());
  run_word_count_job(dir.file("in.txt"), dir.file("out"), 4);
  auto result = check_word_count({dir.file("in.txt"), dir.file("out")});
  CHECK_MESSAGE(result.passed, result.verdict);
  CHECK(result.verdict.rfind("PASS: 15 distinct words, 783 words in total, every count exactly "
                             "once (", 0) == 0);
}

TEST_CASE("check_word_count: duplicated, missing, unknown and malformed lines fail, named") {
  temp_dir dir;
  write_file(dir.file("in.txt"), example_input());
  run_word_count_job(dir.file("in.txt"), dir.file("out"), 4);
  edit_committed(dir.file("out"), [](std::vector<std::string>& lines) {
    auto dog7 = std::find(lines.begin(), lines.end(), "dog 7");
    if (dog7 == lines.end())
      return false;
    lines.erase(dog7);
    lines.push_back("cat 3");
    lines.push_back("zebra 1");
    lines.push_back("cat");
    lines.push_back("cat 0");
    return true;
  });
  auto result = check_word_count({dir.file("in.txt"), dir.file("out")});
  CHECK_FALSE(result.passed);
  CHECK_MESSAGE(contains(result.verdict, "1 missing counts ('dog 7')"), result.verdict);
  CHECK_MESSAGE(contains(result.verdict, "1 duplicated counts ('cat 3')"), result.verdict);
  CHECK_MESSAGE(contains(result.verdict, "1 unknown words ('zebra' at part-"), result.verdict);
  CHECK_MESSAGE(contains(result.verdict, "2 malformed lines ('cat' at part-"), result.verdict);
}

TEST_CASE("check_word_count: the example spec runs and passes on the shipped words.txt") {
  auto repo = std::filesystem::path{__FILE__}.parent_path().parent_path().parent_path();
  auto input = (repo / "examples/data/words.txt").string();
  temp_dir dir;
  auto graph = load_job_spec((repo / "examples/jobs/word_count.json").string(),
                             operator_registry::global(),
                             {"lines.path=" + input, "out.output_dir=" + dir.file("out")});
  auto p = word_count_params_from(graph);
  CHECK(p.input == input);
  CHECK(p.output_dir == dir.file("out"));
  run_word_count_job(p.input, p.output_dir, 7);
  auto result = check_word_count(p);
  CHECK_MESSAGE(result.passed, result.verdict);
  CHECK_THROWS_AS(check_word_count({dir.file("missing.txt"), dir.file("out")}), usage_error);
}
