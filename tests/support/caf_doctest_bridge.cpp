// The doctest main() of the deterministic tests, and the part of CAF 0.17's test engine that
// caf/test/dsl.hpp needs (declared in caf/test/unit_test.hpp; CAF's own definitions in
// unit_test_impl.hpp only work inside CAF's runner). CAF check failures become doctest failures
// at the line CAF reports; fatal ones (wrong message type, empty mailbox, CAF_REQUIRE) abort the
// process as in CAF's runner, so every test case runs in its own process (one CTest entry each).
// Link this into exactly one binary, never together with unit_test_impl.hpp.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <string>

#include <caf/test/unit_test.hpp>

namespace {

/// Keeps the last line CAF's test logger wrote and the last DSL step ("  -> expect(...)").
class last_lines : public std::streambuf {
 public:
  std::string line;
  std::string step;
  std::string previous_step;

 protected:
  int overflow(int c) override {
    if (c == EOF)
      return c;
    if (c != '\n') {
      current_ += static_cast<char>(c);
      return c;
    }
    std::string plain;  // without ANSI colour codes
    for (std::size_t i = 0; i < current_.size(); ++i) {
      if (current_[i] == '\x1b') {
        while (i < current_.size() && current_[i] != 'm')
          ++i;
      } else {
        plain += current_[i];
      }
    }
    if (plain.rfind("  -> ", 0) == 0) {
      previous_step = step;
      step = plain.substr(5);
    }
    line = plain;
    current_.clear();
    return c;
  }

 private:
  std::string current_;
};

last_lines log_lines;
std::ostream log_stream{&log_lines};
const char* check_file = "<unknown>";
std::size_t check_line = 0;

struct doctest_test : caf::test::test {
  doctest_test() : test("doctest", false) {}
  void run_test_impl() override {}
};

}  // namespace

namespace caf::test {

test::test(std::string name, bool disabled)
  : expected_failures_(0), name_(std::move(name)), good_(0), bad_(0), disabled_(disabled) {}

test::~test() = default;

void test::pass() { ++good_; }

void test::fail(bool expected) {
  ++bad_;
  if (expected) {
    ++expected_failures_;
    return;
  }
  std::string text = log_lines.line;
  std::string file = check_file;
  std::string step = log_lines.step;
  int line = static_cast<int>(check_line);
  if (text.rfind("!! ", 0) == 0) {  // "!! file:line expression (x !! y)" from detail::check
    auto colon = text.find(':', 3);
    auto end = colon == std::string::npos ? colon : text.find_first_not_of("0123456789", colon + 1);
    if (colon != std::string::npos && end != colon + 1) {
      file = text.substr(3, colon - 3);
      line = std::stoi(text.substr(colon + 1, end - colon - 1));
    }
  } else {
    step = log_lines.previous_step;  // CAF_FAIL logged its message as a step
  }
  if (!step.empty())
    text += "\n  last DSL step: " + step;
  DOCTEST_ADD_FAIL_CHECK_AT(file.c_str(), line, "CAF check failed: " << text);
}

int engine::argc() { return 0; }
char** engine::argv() { return nullptr; }
test* engine::current_test() {
  static doctest_test current;
  return &current;
}
const char* engine::last_check_file() { return check_file; }
void engine::last_check_file(const char* file) { check_file = file; }
size_t engine::last_check_line() { return check_line; }
void engine::last_check_line(size_t line) { check_line = line; }

logger::logger()
  : level_console_(level::massive), level_file_(level::quiet), console_(&log_stream) {}
logger& logger::instance() {
  static logger instance;
  return instance;
}
logger::stream::stream(logger& parent, logger::level lvl) : parent_(parent), lvl_(lvl) {}
logger::stream logger::error() { return stream{*this, level::error}; }
logger::stream logger::info() { return stream{*this, level::info}; }
logger::stream logger::verbose() { return stream{*this, level::verbose}; }
logger::stream logger::massive() { return stream{*this, level::massive}; }

namespace detail {

const char* fill(size_t) { return " "; }

bool check(test* parent, const char* file, size_t line, const char* expr, bool should_fail,
           bool result) {
  if (result) {
    parent->pass();
    return true;
  }
  log_stream << "!! " << file << ':' << line << ' ' << expr << '\n';
  parent->fail(should_fail);
  return false;
}

// Reached from CAF_REQUIRE / CAF_FAIL, often inside an expect() clause's destructor where a
// throw would terminate anyway: say why, then abort as CAF's runner does.
[[noreturn]] void requirement_failed(const std::string& msg) {
  std::cerr << "CAF requirement failed: " << msg << " (last DSL step: " << log_lines.step << ")"
            << std::endl;
  std::abort();
}

}  // namespace detail

}  // namespace caf::test
