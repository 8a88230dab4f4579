// Helpers shared by the operator, sink, spec and checker unit tests: files in a test's
// temp_dir (tests/support/temp_dir.hpp), a collector that keeps what was emitted, and operators
// created through the registry.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fjord/operator.hpp"
#include "fjord/operator_registry.hpp"
#include "tests/support/temp_dir.hpp"

namespace fjord::test {

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << content;
  REQUIRE(out.good());
}

inline std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class vector_collector : public collector {
 public:
  void emit(record r) override { records.push_back(std::move(r)); }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    for (auto& r : records)
      result.push_back(r.to_line());
    return result;
  }

  std::vector<record> records;
};

inline const std::string test_job_id = "0123456789abcdef0123456789abcdef";

inline operator_context make_context(nlohmann::json params, std::int32_t subtask = 0,
                                     std::int32_t parallelism = 1, std::int32_t attempt = 0) {
  operator_context ctx;
  ctx.job_id = test_job_id;
  ctx.vertex = "v";
  ctx.subtask = subtask;
  ctx.parallelism = parallelism;
  ctx.attempt = attempt;
  ctx.params = operator_params{std::move(params), "vertices[0].params"};
  return ctx;
}

/// Creates operator `name` from `registry` as the task would, and opens it.
template <class T>
std::unique_ptr<T> open_operator(const std::string& name, const operator_context& ctx,
                                 const operator_registry& registry = operator_registry::global()) {
  auto descriptor = registry.find(name);
  REQUIRE(descriptor != nullptr);
  auto base = descriptor->create();
  auto typed = std::unique_ptr<T>{dynamic_cast<T*>(base.get())};
  REQUIRE(typed != nullptr);
  base.release();
  typed->open(ctx);
  return typed;
}

/// Polls `source` until it is exhausted (bounded, so a broken source fails instead of hanging),
/// `max_records` at a time. Returns what it emitted.
inline std::vector<record> drain(source_operator& source, std::size_t max_records = 7) {
  vector_collector out;
  for (int i = 0; i < 1'000'000; ++i) {
    auto result = source.poll(out, max_records);
    if (result.status == source_operator::poll_status::exhausted)
      return out.records;
  }
  FAIL("source was not exhausted after 1000000 polls");
  return out.records;
}

/// The error message of `validate` for `params`, or "no error".
inline std::string validation_error(const std::string& op, nlohmann::json params,
                                    const std::string& path = "vertices[1].params") {
  auto descriptor = operator_registry::global().find(op);
  REQUIRE(descriptor != nullptr);
  try {
    descriptor->validate(operator_params{std::move(params), path});
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace fjord::test
