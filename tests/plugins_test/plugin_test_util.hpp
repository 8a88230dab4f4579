// Helpers of the plugin tests: the refusal a load ends with, whole files, and running one record
// through an operator of a loaded plugin.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fjord/operator.hpp>
#include <fjord/operator_registry.hpp>

#include "plugins/plugin_loader.hpp"

namespace fjord::test {

struct refusal {
  plugin_error::kind which;
  std::string message;
};

/// The plugin_error load_plugin(path) throws; fails the test if it loads.
inline refusal refusal_of(const std::string& path) {
  try {
    auto plugin = load_plugin(path);
    FAIL("plugin " << path << " was loaded, with " << plugin.operator_names().size()
                   << " operator(s)");
  } catch (const plugin_error& e) {
    return {e.which(), e.what()};
  }
  return {};
}

inline std::string file_contents(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  REQUIRE(in.good());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << bytes;
  REQUIRE(out.good());
}

class vector_collector : public collector {
 public:
  void emit(record r) override { records.push_back(std::move(r)); }
  std::vector<record> records;
};

/// Creates operator `name` of `registry` as a task would, opens it and feeds it `inputs`.
inline std::vector<record> run_stream_operator(const operator_registry& registry,
                                               const std::string& name,
                                               const std::vector<record>& inputs) {
  auto descriptor = registry.find(name);
  REQUIRE(descriptor != nullptr);
  REQUIRE(descriptor->create);
  std::unique_ptr<operator_base> op = descriptor->create();
  auto stream = dynamic_cast<stream_operator*>(op.get());
  REQUIRE(stream != nullptr);
  operator_context ctx;
  ctx.job_id = "0123456789abcdef0123456789abcdef";
  ctx.vertex = "v";
  stream->open(ctx);
  vector_collector out;
  for (auto& r : inputs)
    stream->process(r, out);
  stream->close();
  return out.records;
}

}  // namespace fjord::test
