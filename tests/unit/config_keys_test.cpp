// Unknown configuration keys are errors (a typo was ignored in silence), with the nearest known
// key suggested; other tools' keys pass under config.allowed-prefixes; and every key the
// README, the scripts, the process tests, the examples and the benchmarks use is known.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/config_keys.hpp"
#include "fjord/configuration.hpp"
#include "tests/support/temp_dir.hpp"

#ifndef FJORD_SOURCE_DIR
#error "FJORD_SOURCE_DIR must name the repository (the README and scripts are scanned)"
#endif

using namespace fjord;

namespace {

std::string write_config(const testing::temp_dir& dir, const std::string& text) {
  auto path = dir.file("fjord.yaml");
  std::ofstream{path} << text;
  return path;
}

std::string load_error(const std::string& path) {
  try {
    configuration::load_file(path);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

std::string override_error(configuration& config, const std::vector<std::string>& defines) {
  try {
    config.apply_overrides(defines);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in{path};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("config keys: a misspelt -D key is refused, naming the key Fjord knows") {
  configuration config;
  CHECK(override_error(config, {"execution.checkpointing.intreval=5"})
        == "unknown configuration key 'execution.checkpointing.intreval' (did you mean "
           "'execution.checkpointing.interval'?)");
  CHECK(override_error(config, {"recovery.zookeeper.storagedir=/tmp"})
        == "unknown configuration key 'recovery.zookeeper.storagedir' (did you mean "
           "'recovery.zookeeper.storageDir'?)");
  // Nothing is applied when one override is refused.
  CHECK(override_error(config, {"restart-strategy=none", "restart-stratgy.attempts=3"})
        == "unknown configuration key 'restart-stratgy.attempts' (did you mean "
           "'restart-strategy.attempts'?)");
  CHECK_FALSE(config.has("restart-strategy"));
}

TEST_CASE("config keys: a key near no known key says how to allow other tools' keys") {
  configuration config;
  CHECK(override_error(config, {"myapp.colour=blue"})
        == "unknown configuration key 'myapp.colour' (keys of other tools can be allowed with "
           "config.allowed-prefixes, e.g. config.allowed-prefixes: myapp.)");
}

TEST_CASE("config keys: an unknown key in a file is refused with the file named") {
  testing::temp_dir dir;
  auto path = write_config(dir, "recovery.mode: standalone\n"
                                "execution.checkpointing.intreval: 5s\n");
  CHECK(load_error(path) == "configuration file " + path
                              + ": unknown configuration key 'execution.checkpointing.intreval' "
                                "(did you mean 'execution.checkpointing.interval'?)");
}

TEST_CASE("config keys: keys under config.allowed-prefixes pass, in the file and with -D") {
  testing::temp_dir dir;
  auto path = write_config(dir, "config.allowed-prefixes: myapp., logging.\n"
                                "myapp.colour: blue\n"
                                "logging.level: debug\n"
                                "execution.checkpointing.interval: 2s\n");
  auto config = configuration::load_file(path);
  CHECK(config.get_string("myapp.colour", "") == "blue");
  CHECK(config.get_duration("execution.checkpointing.interval", {}).count() == 2000);
  CHECK(override_error(config, {"myapp.size=3", "logging.file=x"}) == "no error");
  // A prefix is a prefix of the key, not a namespace guess.
  CHECK(override_error(config, {"myapps.size=3"}).find("unknown configuration key 'myapps.size'")
        != std::string::npos);
  // The prefixes may come with the overrides themselves.
  configuration plain;
  CHECK(override_error(plain, {"config.allowed-prefixes=other.", "other.key=1"}) == "no error");
  // And a file without them refuses the same keys.
  auto strict = write_config(dir, "myapp.colour: blue\n");
  CHECK(load_error(strict).find("unknown configuration key 'myapp.colour'") != std::string::npos);
}

TEST_CASE("config keys: check_keys catches a key set() let through") {
  configuration config;
  config.set("jobmanager.adress", "127.0.0.1:6123");
  CHECK_THROWS_WITH_AS(config.check_keys(),
                       "unknown configuration key 'jobmanager.adress' (did you mean "
                       "'jobmanager.address'?)",
                       config_error);
  config.set("config.allowed-prefixes", "jobmanager.adr");
  CHECK_NOTHROW(config.check_keys());
}

TEST_CASE("config keys: every known key has a description, once, sorted by name") {
  std::set<std::string> seen;
  std::string previous;
  for (auto& key : known_config_keys()) {
    INFO(key.name);
    CHECK(std::string{key.description}.size() > 10);
    CHECK(seen.insert(key.name).second);
    CHECK(previous < key.name);
    previous = key.name;
  }
  CHECK(is_known_config_key("jobmanager.max-parallelism"));
  CHECK(is_known_config_key("jobmanager.max-tasks-per-job"));
  CHECK(is_known_config_key(allowed_prefixes_key));
}

TEST_CASE("config keys: the README, scripts, process tests, examples and benchmarks use only "
          "known keys") {
  // `key: value` lines, -D key=value and the README's table, for every namespace Fjord reads.
  const std::regex key_use{
    R"((?:^|[^\w./-])((?:recovery|jobmanager|taskmanager|execution|restart-strategy|state|config))"
    R"((?:\.[A-Za-z][A-Za-z0-9-]*)*)(?:=|: |`))"};
  namespace fs = std::filesystem;
  fs::path root{FJORD_SOURCE_DIR};
  std::vector<fs::path> files{root / "README.md"};
  for (auto dir : {"scripts", "tests/integration", "examples", "bench"})
    for (auto& entry : fs::recursive_directory_iterator(root / dir)) {
      auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".sh" || ext == ".yaml" || ext == ".md"))
        files.push_back(entry.path());
    }
  int keys_seen = 0;
  for (auto& file : files) {
    auto text = read_text(file);
    for (std::sregex_iterator i{text.begin(), text.end(), key_use}, end; i != end; ++i) {
      auto key = (*i)[1].str();
      if (key.find('.') == std::string::npos && key != "restart-strategy")
        continue;  // "state: ...", "config`" and the like are not keys
      ++keys_seen;
      INFO(file.string() << ": " << key);
      CHECK(is_known_config_key(key));
    }
  }
  CHECK(keys_seen > 20);  // the scan found the keys the README and scripts do use
}
