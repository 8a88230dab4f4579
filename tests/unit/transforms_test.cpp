// The built-in transformations (keyed_sum, tokenize, word_count), the stdout sink's parameters
// and the operator registry itself.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "fjord/spec_error.hpp"
#include "operators/builtin_operators.hpp"
#include "operators/tokenize.hpp"
#include "tests/unit/operator_test_util.hpp"

using namespace fjord;
using namespace fjord::test;
using namespace fjord::testing;
using nlohmann::json;

namespace {

std::vector<std::string> feed(stream_operator& op, const std::vector<record>& input) {
  vector_collector out;
  for (auto& r : input)
    op.process(r, out);
  return out.lines();
}

std::vector<record> numbers(std::initializer_list<std::int64_t> values) {
  std::vector<record> result;
  for (auto v : values)
    result.push_back(record::of(v));
  return result;
}

std::vector<record> words(std::initializer_list<const char*> values) {
  std::vector<record> result;
  for (auto v : values)
    result.push_back(record::of(std::string{v}));
  return result;
}

}  // namespace

TEST_CASE("registry: the global registry holds every built-in operator with its role") {
  auto& registry = operator_registry::global();
  CHECK(registry.names() == std::vector<std::string>{"file_lines", "keyed_sum", "sequence",
                                                     "stdout", "tokenize",
                                                     "transactional_file", "word_count"});
  CHECK(registry.find("sequence")->role == operator_role::source);
  CHECK(registry.find("file_lines")->role == operator_role::source);
  CHECK(registry.find("keyed_sum")->role == operator_role::transform);
  CHECK(registry.find("stdout")->role == operator_role::sink);
  CHECK(registry.find("transactional_file")->role == operator_role::sink);
  CHECK(registry.find("no_such_operator") == nullptr);
  CHECK(&operator_registry::global() == &registry);
  CHECK(std::string{to_string(operator_role::transform)} == "transform");
}

TEST_CASE("registry: add replaces an operator of the same name in a registry of one's own") {
  operator_registry registry;
  register_builtin_operators(registry);
  auto d = tokenize_descriptor();
  d.description = "replaced";
  registry.add(d);
  CHECK(registry.find("tokenize")->description == "replaced");
  CHECK(registry.names().size() == 7);
  CHECK(operator_registry::global().find("tokenize")->description != "replaced");
}

TEST_CASE("registry: the default key spreads numbers and texts and is stable") {
  CHECK(default_record_key(record::of(1)) == default_record_key(record::of(1)));
  CHECK(default_record_key(record::of(1)) != default_record_key(record::of(2)));
  CHECK(default_record_key(record::of("a")) != default_record_key(record::of("b")));
  CHECK(default_record_key(record::of("a", 1)) != default_record_key(record::of("a", 2)));
  // Consecutive numbers land on all of 4 subtasks about evenly.
  std::vector<int> per_subtask(4, 0);
  for (std::int64_t i = 0; i < 4000; ++i)
    ++per_subtask[default_record_key(record::of(i)) % 4];
  for (auto n : per_subtask)
    CHECK((n > 800 && n < 1200));
  // Operators without their own selector get the default one.
  auto selector = operator_registry::global().key_selector_for("tokenize", operator_params{});
  CHECK(selector(record::of(7)) == default_record_key(record::of(7)));
  auto unknown = operator_registry::global().key_selector_for("nope", operator_params{});
  CHECK(unknown(record::of("x")) == default_record_key(record::of("x")));
}

TEST_CASE("keyed_sum: the key selector is value mod keys, non-negative for negative values") {
  auto selector = operator_registry::global().key_selector_for(
    "keyed_sum", operator_params{{{"keys", 16}}, "vertices[1].params"});
  CHECK(selector(record::of(35)) == 3);
  CHECK(selector(record::of(16)) == 0);
  CHECK(selector(record::of(-1)) == 15);
  CHECK(selector(record::of(-16)) == 0);
}

TEST_CASE("keyed_sum: emits key, value and the key's running sum") {
  auto op = open_operator<stream_operator>("keyed_sum", make_context({{"keys", 3}}));
  CHECK(feed(*op, numbers({1, 4, 2, 7, -2, 3})) ==
        std::vector<std::string>{"1 1 1", "1 4 5", "2 2 2", "1 7 12", "1 -2 10", "0 3 3"});
}

TEST_CASE("keyed_sum: a restored instance continues the running sums of the snapshot") {
  auto params = json{{"keys", 4}};
  auto first = open_operator<stream_operator>("keyed_sum", make_context(params));
  feed(*first, numbers({1, 2, 3, 4, 5}));
  auto state = first->snapshot(1);
  auto continuation = feed(*first, numbers({6, 7, 8, 9}));
  CHECK(continuation == std::vector<std::string>{"2 6 8", "3 7 10", "0 8 12", "1 9 15"});

  auto restored = open_operator<stream_operator>("keyed_sum", make_context(params, 0, 1, 1));
  restored->restore(state, 1);
  CHECK(feed(*restored, numbers({6, 7, 8, 9})) == continuation);
}

TEST_CASE("keyed_sum: keys <= 0 past the client's validation fail open() and the key selector, "
          "never divide by zero") {
  for (int keys : {0, -3}) {
    CHECK_THROWS_AS(open_operator<stream_operator>("keyed_sum", make_context({{"keys", keys}})),
                    spec_error);
    CHECK_THROWS_AS(operator_registry::global().key_selector_for(
                      "keyed_sum", operator_params{{{"keys", keys}}, "vertices[1].params"}),
                    spec_error);
  }
}

TEST_CASE("keyed_sum: keys must be an integer >= 1") {
  CHECK(validation_error("keyed_sum", {{"keys", "x"}}) ==
        "vertices[1].params.keys: must be an integer >= 1, got \"x\"");
  CHECK(validation_error("keyed_sum", {{"keys", 0}}) ==
        "vertices[1].params.keys: must be an integer >= 1, got 0");
  CHECK(validation_error("keyed_sum", {{"keys", 2.5}}) ==
        "vertices[1].params.keys: must be an integer >= 1, got 2.5");
  CHECK(validation_error("keyed_sum", json::object()) ==
        "vertices[1].params.keys: missing parameter");
  CHECK(validation_error("keyed_sum", {{"keys", 4}, {"key", 4}}) ==
        "vertices[1].params.key: unknown parameter (expected one of: keys)");
  CHECK(validation_error("keyed_sum", {{"keys", 4}}) == "no error");
}

TEST_CASE("tokenize: lines become lower-cased words split on anything not alphanumeric") {
  CHECK(tokenize_words("Hello, World! It's 42nd--street\t(again)") ==
        std::vector<std::string>{"hello", "world", "it", "s", "42nd", "street", "again"});
  CHECK(tokenize_words("").empty());
  CHECK(tokenize_words(" ,;. ").empty());
  CHECK(tokenize_words("caf\xc3\xa9 ok") == std::vector<std::string>{"caf", "ok"});
  auto op = open_operator<stream_operator>("tokenize", make_context(json::object()));
  CHECK(feed(*op, words({"The cat", "", "sat. THE END"})) ==
        std::vector<std::string>{"the", "cat", "sat", "the", "end"});
  CHECK(op->snapshot(1).empty());
  CHECK(validation_error("tokenize", {{"lower", true}}) ==
        "vertices[1].params.lower: unknown parameter (this operator takes none)");
}

TEST_CASE("word_count: counts per word, keyed by the word, and restores its counts") {
  auto op = open_operator<stream_operator>("word_count", make_context(json::object()));
  CHECK(feed(*op, words({"the", "cat", "the"})) ==
        std::vector<std::string>{"the 1", "cat 1", "the 2"});
  vector_collector out;
  op->process(record::of("dog"), out);
  REQUIRE(out.records.size() == 1);
  CHECK(out.records[0] == record::of("dog", 1));

  auto selector =
    operator_registry::global().key_selector_for("word_count", operator_params{});
  CHECK(selector(record::of("the")) == selector(record::of("the")));
  CHECK(selector(record::of("the")) != selector(record::of("cat")));

  auto state = op->snapshot(3);
  auto restored = open_operator<stream_operator>("word_count", make_context(json::object()));
  restored->restore(state, 3);
  CHECK(feed(*restored, words({"the", "dog", "emu"})) ==
        std::vector<std::string>{"the 3", "dog 2", "emu 1"});
}

TEST_CASE("stdout: writes each record's line with the prefix to standard output") {
  temp_dir dir;
  auto path = dir.file("stdout.txt");
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  REQUIRE(saved >= 0);
  int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(file >= 0);
  ::dup2(file, STDOUT_FILENO);
  ::close(file);
  {
    auto sink = open_operator<stream_operator>("stdout", make_context({{"prefix", "> "}}));
    vector_collector out;
    sink->process(record::of(7), out);
    sink->process(record::of("word", 3), out);
    CHECK(sink->snapshot(1).empty());  // at-least-once: no state
    sink->close();
    CHECK(out.records.empty());
  }
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  CHECK(read_file(path) == "> 7\n> word 3\n");
}

TEST_CASE("stdout: prefix must be a string, unknown parameters are rejected") {
  CHECK(validation_error("stdout", {{"prefix", 3}}) ==
        "vertices[1].params.prefix: must be a string, got 3");
  CHECK(validation_error("stdout", {{"prefx", "> "}}) ==
        "vertices[1].params.prefx: unknown parameter (expected one of: prefix)");
  CHECK(validation_error("stdout", {{"prefix", "> "}}) == "no error");
}

TEST_CASE("operator_params: typed accessors name the field in their errors") {
  operator_params p{{{"n", 3}, {"s", "x"}, {"b", true}, {"d", 1.5}}, "vertices[2].params"};
  CHECK(p.get_int("n") == 3);
  CHECK(p.get_int("missing", 9) == 9);
  CHECK(p.get_string("s") == "x");
  CHECK(p.get_bool("b", false));
  CHECK(p.get_double("d", 0) == 1.5);
  CHECK(p.get_double("n", 0) == 3.0);
  CHECK_THROWS_WITH(p.get_int("s"), "vertices[2].params.s: must be an integer, got \"x\"");
  CHECK_THROWS_WITH(p.get_string("n"), "vertices[2].params.n: must be a string, got 3");
  CHECK_THROWS_WITH(p.get_bool("n", false), "vertices[2].params.n: must be true or false, got 3");
  CHECK_THROWS_WITH(p.get_double("s", 0), "vertices[2].params.s: must be a number, got \"x\"");
  CHECK_THROWS_WITH(p.get_string("nope"), "vertices[2].params.nope: missing parameter");
  CHECK_THROWS_WITH(p.get_int_at_least("n", 5),
                    "vertices[2].params.n: must be an integer >= 5, got 3");
  CHECK_THROWS_WITH((operator_params{json::array(), "vertices[0].params"}),
                    "vertices[0].params: must be an object, got []");
}
