// Content hashes and the plugin cache: files named by their hash, written once, reused only
// when intact, replaced (never rewritten in place) when corrupt, and bytes whose hash differs
// from the announced one refused. Ends with the whole path a fetched plugin takes.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "plugins/content_hash.hpp"
#include "plugins/plugin_cache.hpp"
#include "plugins/plugin_loader.hpp"
#include "tests/plugins_test/plugin_test_util.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using namespace fjord::test;
using kind = plugin_error::kind;

namespace {

struct stat stat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st;
}

std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  for (auto& entry : std::filesystem::directory_iterator{dir})
    names.push_back(entry.path().filename().string());
  return names;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("sha256_hex gives the standard SHA-256 digests in lowercase hex") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string with_zero{"a\0b", 3};
  CHECK(sha256_hex(with_zero) != sha256_hex("ab"));
  CHECK(is_sha256_hex(sha256_hex("x")));
  CHECK_FALSE(is_sha256_hex(""));
  CHECK_FALSE(is_sha256_hex(std::string(64, 'A')));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex("../" + std::string(61, 'a')));
}

TEST_CASE("storing the same bytes twice gives the same private file named by its hash") {
  fjord::testing::temp_dir root{"fjord-plugin-cache"};
  auto dir = root.file("cache");
  plugin_cache cache{dir};
  std::string bytes = "pretend plugin binary\n";

  auto path = cache.store(bytes);
  CHECK(path == dir + "/" + sha256_hex(bytes) + ".so");
  CHECK(file_contents(path) == bytes);
  CHECK((stat_of(path).st_mode & 0777) == 0600);
  CHECK((stat_of(dir).st_mode & 0777) == 0700);
  auto first_inode = stat_of(path).st_ino;

  CHECK(cache.store(bytes) == path);
  CHECK(stat_of(path).st_ino == first_inode);  // reused, not written again
  CHECK(entries_of(dir) == std::vector<std::string>{sha256_hex(bytes) + ".so"});

  auto other = cache.store("another binary");
  CHECK(other != path);
  CHECK(entries_of(dir).size() == 2);
}

TEST_CASE("a corrupt or truncated cached file is replaced by a new file, not rewritten") {
  fjord::testing::temp_dir root{"fjord-plugin-cache"};
  plugin_cache cache{root.file("cache")};
  std::string bytes(100'000, 'p');
  auto path = cache.store(bytes);

  for (std::string damage : {std::string{"garbage"}, bytes.substr(0, 50'000)}) {
    write_file(path, damage);
    REQUIRE(sha256_hex(file_contents(path)) != sha256_hex(bytes));  // the damage is there
    CHECK_FALSE(cache.find(sha256_hex(bytes)).has_value());
    auto damaged_inode = stat_of(path).st_ino;

    CHECK(cache.store(bytes) == path);
    CHECK(file_contents(path) == bytes);
    // A process may have the damaged file mapped: it got a new file, the old one kept its pages.
    CHECK(stat_of(path).st_ino != damaged_inode);
    CHECK((stat_of(path).st_mode & 0777) == 0600);
    CHECK(entries_of(cache.directory()).size() == 1);  // no temporary file left behind
  }
}

TEST_CASE("find returns a cached file only when it is there and intact") {
  fjord::testing::temp_dir root{"fjord-plugin-cache"};
  plugin_cache cache{root.file("cache")};
  auto sha = sha256_hex("bytes");
  CHECK_FALSE(cache.find(sha).has_value());
  auto path = cache.store("bytes");
  CHECK(cache.find(sha) == path);
  CHECK_FALSE(cache.find("../" + sha.substr(3)).has_value());
  CHECK_FALSE(cache.find("not a hash").has_value());
}

TEST_CASE("bytes whose hash is not the announced one are refused, naming both hashes") {
  std::string bytes = "the plugin as it arrived";
  auto sha = sha256_hex(bytes);
  CHECK_NOTHROW(verify_content_hash(bytes, sha, "plugin ops.so"));

  auto announced = sha256_hex("the plugin as it was sent");
  try {
    verify_content_hash(bytes, announced, "plugin ops.so");
    FAIL("mismatching bytes were accepted");
  } catch (const plugin_error& e) {
    std::string message = e.what();
    CHECK(e.which() == kind::hash_mismatch);
    CHECK(message.rfind("plugin ops.so: content hash mismatch", 0) == 0);
    CHECK(contains(message, "announced sha256 " + announced));
    CHECK(contains(message, "have sha256 " + sha));
    CHECK(message.find('\n') == std::string::npos);
  }

  try {
    verify_content_hash(bytes, "ABC", "plugin ops.so");
    FAIL("a malformed hash was accepted");
  } catch (const plugin_error& e) {
    CHECK(e.which() == kind::hash_mismatch);
    CHECK(contains(e.what(), "the announced content hash 'ABC' is not a sha256"));
  }
}

TEST_CASE("a cache directory that others may write into is refused") {
  fjord::testing::temp_dir root{"fjord-plugin-cache"};
  auto dir = root.file("shared");
  REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
  REQUIRE(::chmod(dir.c_str(), 0777) == 0);
  plugin_cache cache{dir};
  try {
    cache.store("bytes");
    FAIL("stored into a world-writable directory");
  } catch (const plugin_error& e) {
    CHECK(e.which() == kind::io);
    CHECK(std::string{e.what()} ==
          "plugin cache: " + dir + " is writable by other users (make it mode 0700)");
  }
  CHECK(entries_of(dir).empty());
}

TEST_CASE("a fetched plugin: verified, stored in the cache, loaded from there and run") {
  fjord::testing::temp_dir root{"fjord-plugin-cache"};
  plugin_cache cache{root.file("cache")};
  auto bytes = file_contents(FJORD_TEST_PLUGIN_TRIPLE);
  auto announced = sha256_hex(bytes);

  verify_content_hash(bytes, announced, "plugin triple");
  auto path = cache.store(bytes);
  CHECK(cache.find(announced) == path);
  auto plugin = load_plugin(path);
  CHECK(plugin.path() == path);
  CHECK(run_stream_operator(plugin.operators(), "plugin_test_triple", {record::of(4)}) ==
        std::vector<record>{record::of(12)});

  // A flipped byte in transit is caught before anything is written or loaded.
  auto damaged = bytes;
  damaged[damaged.size() / 2] ^= 0x01;
  CHECK_THROWS_AS(verify_content_hash(damaged, announced, "plugin triple"), plugin_error);
}
