// load_plugin() with real plugin files (tests/plugins/, built as MODULE libraries against
// libfjord.so) and with files that are not plugins: what loads works, every refusal is one line
// that names the file and the problem, and the process goes on working afterwards.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <dlfcn.h>

#include <fjord/plugin.hpp>
#include <fjord/version.hpp>

#include "plugins/plugin_loader.hpp"
#include "tests/plugins_test/plugin_test_util.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::test;
using kind = plugin_error::kind;

namespace {

const std::string triple_plugin = FJORD_TEST_PLUGIN_TRIPLE;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The shape every refusal has: "plugin <path>: <problem>" on one line.
void check_one_line_naming(const refusal& r, const std::string& path) {
  CHECK(r.message.rfind("plugin " + path + ": ", 0) == 0);
  CHECK(r.message.find('\n') == std::string::npos);
}

}  // namespace

TEST_CASE("a good plugin loads, and its operator multiplies the numbers of records by 3") {
  auto plugin = load_plugin(triple_plugin);
  CHECK(plugin.path() == triple_plugin);
  CHECK(plugin.operator_names() == std::vector<std::string>{"plugin_test_triple"});
  CHECK(plugin.built_against() == FJORD_VERSION);
  CHECK(plugin.compiler() == FJORD_PLUGIN_COMPILER);

  auto descriptor = plugin.operators().find("plugin_test_triple");
  REQUIRE(descriptor != nullptr);
  CHECK(descriptor->role == operator_role::transform);
  CHECK(descriptor->description == "every number times 3 (test plugin)");
  auto out = run_stream_operator(plugin.operators(), "plugin_test_triple",
                                 {record::of(7), record::of(-2), record::of(0)});
  CHECK(out == std::vector<record>{record::of(21), record::of(-6), record::of(0)});

  // The plugin's operators are its own: the registry jobs use is the caller's to extend.
  CHECK(operator_registry::global().find("plugin_test_triple") == nullptr);
}

TEST_CASE("the same plugin loaded twice gives two working registries") {
  auto first = load_plugin(triple_plugin);
  auto second = load_plugin(triple_plugin);
  CHECK(run_stream_operator(first.operators(), "plugin_test_triple", {record::of(1)}) ==
        std::vector<record>{record::of(3)});
  CHECK(run_stream_operator(second.operators(), "plugin_test_triple", {record::of(2)}) ==
        std::vector<record>{record::of(6)});
}

TEST_CASE("a relative plugin path is the file in the working directory, not a library search") {
  auto file = std::filesystem::path{triple_plugin};
  // A bare file name: dlopen() alone would search LD_LIBRARY_PATH and the system directories.
  std::string relative = file.filename().string();
  REQUIRE(relative.find('/') == std::string::npos);
  auto previous = std::filesystem::current_path();
  std::filesystem::current_path(file.parent_path());
  std::string loaded_from;
  std::vector<std::string> names;
  try {
    auto plugin = load_plugin(relative);
    loaded_from = plugin.path();
    names = plugin.operator_names();
  } catch (...) {
    std::filesystem::current_path(previous);
    throw;
  }
  std::filesystem::current_path(previous);
  CHECK(std::filesystem::path{loaded_from}.is_absolute());
  CHECK(std::filesystem::equivalent(loaded_from, file));
  CHECK(names == std::vector<std::string>{"plugin_test_triple"});
}

TEST_CASE("a plugin built against another patch version of this Fjord loads") {
  auto plugin = load_plugin(FJORD_TEST_PLUGIN_OTHER_PATCH);
  CHECK(plugin.built_against() != FJORD_VERSION);
  CHECK(plugin.built_against().rfind(std::to_string(FJORD_VERSION_MAJOR) + "." +
                                       std::to_string(FJORD_VERSION_MINOR) + ".",
                                     0) == 0);
  CHECK(run_stream_operator(plugin.operators(), "plugin_test_triple", {record::of(5)}) ==
        std::vector<record>{record::of(15)});
}

TEST_CASE("a plugin built against another Fjord minor version is refused, naming both") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_OTHER_MINOR);
  CHECK(r.which == kind::version_mismatch);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_OTHER_MINOR);
  CHECK(contains(r.message, "built against Fjord " FJORD_TEST_OTHER_MINOR_VERSION
                            ", this is Fjord " FJORD_VERSION));
}

TEST_CASE("a plugin with another plugin ABI number is refused") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_OTHER_ABI);
  CHECK(r.which == kind::abi_mismatch);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_OTHER_ABI);
  CHECK(contains(r.message, "plugin ABI " + std::to_string(FJORD_TEST_OTHER_ABI) +
                              ", this is Fjord " FJORD_VERSION " with plugin ABI " +
                              std::to_string(FJORD_PLUGIN_ABI_VERSION)));
}

TEST_CASE("a shared library without fjord_plugin_entry is not a Fjord plugin") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_NO_ENTRY);
  CHECK(r.which == kind::not_a_plugin);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_NO_ENTRY);
  CHECK(contains(r.message, "not a Fjord plugin"));
}

TEST_CASE("a library that only depends on a plugin is not a Fjord plugin itself") {
  // The trap is there: dlsym() on the library finds the entry point of its dependency.
  void* handle = ::dlopen(FJORD_TEST_PLUGIN_DEPENDS_ON_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  REQUIRE(handle != nullptr);
  CHECK(::dlsym(handle, plugin_entry_symbol) != nullptr);
  ::dlclose(handle);

  auto r = refusal_of(FJORD_TEST_PLUGIN_DEPENDS_ON_PLUGIN);
  CHECK(r.which == kind::not_a_plugin);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_DEPENDS_ON_PLUGIN);
  CHECK(contains(r.message, "not a Fjord plugin"));
}

TEST_CASE("a plugin whose registration throws is refused with the exception's text") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_THROWS);
  CHECK(r.which == kind::registration_failed);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_THROWS);
  CHECK(contains(r.message, "registration failed: the plugin's settings file is missing"));
}

TEST_CASE("a plugin that registers no operator is refused") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_EMPTY);
  CHECK(r.which == kind::no_operators);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_EMPTY);
  CHECK(contains(r.message, "registers no operator"));
}

TEST_CASE("a plugin that registers an operator named like a built-in one is refused") {
  auto r = refusal_of(FJORD_TEST_PLUGIN_BUILTIN_NAME);
  CHECK(r.which == kind::name_collision);
  check_one_line_naming(r, FJORD_TEST_PLUGIN_BUILTIN_NAME);
  CHECK(contains(r.message, "operator 'sequence' has the name of a built-in operator"));
}

TEST_CASE("files that are not plugins are refused: missing, a directory, text, empty path") {
  fjord::testing::temp_dir dir{"fjord-plugin-test"};

  auto missing = dir.file("missing.so");
  auto r = refusal_of(missing);
  CHECK(r.which == kind::unreadable);
  check_one_line_naming(r, missing);
  CHECK(contains(r.message, "no such file"));

  r = refusal_of(dir.str());
  CHECK(r.which == kind::unreadable);
  check_one_line_naming(r, dir.str());
  CHECK(contains(r.message, "not a regular file"));

  auto text = dir.file("notes.so");
  write_file(text, "this is not a shared object\nsecond line\n");
  r = refusal_of(text);
  CHECK(r.which == kind::not_loadable);
  check_one_line_naming(r, text);
  CHECK(contains(r.message, "not a loadable shared object"));

  auto empty = dir.file("empty.so");
  write_file(empty, "");
  r = refusal_of(empty);
  CHECK(r.which == kind::not_loadable);
  check_one_line_naming(r, empty);

  r = refusal_of("");
  CHECK(r.which == kind::unreadable);
  CHECK(r.message == "plugin: the path is empty");
}

TEST_CASE("after every kind of bad plugin the process still loads and runs a good one") {
  fjord::testing::temp_dir dir{"fjord-plugin-test"};
  auto text = dir.file("text.so");
  write_file(text, "text");
  std::vector<std::string> bad = {FJORD_TEST_PLUGIN_OTHER_MINOR, FJORD_TEST_PLUGIN_OTHER_ABI,
                                  FJORD_TEST_PLUGIN_NO_ENTRY, FJORD_TEST_PLUGIN_DEPENDS_ON_PLUGIN,
                                  FJORD_TEST_PLUGIN_THROWS, FJORD_TEST_PLUGIN_EMPTY,
                                  FJORD_TEST_PLUGIN_BUILTIN_NAME, dir.file("missing.so"), text};
  // Twice: refusing a file that was refused (and possibly unloaded) before works the same.
  for (int round = 0; round < 2; ++round) {
    for (auto& path : bad) {
      CAPTURE(path);
      CHECK_THROWS_AS(load_plugin(path), plugin_error);
    }
  }
  auto plugin = load_plugin(triple_plugin);
  CHECK(run_stream_operator(plugin.operators(), "plugin_test_triple", {record::of(11)}) ==
        std::vector<record>{record::of(33)});
  CHECK(operator_registry::global().find("sequence") != nullptr);
  CHECK(operator_registry::global().find("plugin_test_never_registered") == nullptr);
}
