// file_state_storage: crash-safe unique files with a verified envelope.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "tests/support/job_ids.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/zookeeper/store_contract_util.hpp"

using namespace fjord;
namespace fs = std::filesystem;

namespace {

store_error::kind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const store_error& e) {
    return e.which();
  }
  FAIL("no store_error thrown");
  return store_error::kind::io;
}

std::string what_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("file storage: a stored record loads back and the file has a unique final name") {
  testing::temp_dir dir;
  file_state_storage storage{dir.file("recovery")};
  auto cp = test::make_checkpoint(testing::job_id("job"), 7);
  auto h1 = storage.store_record(cp, "completedCheckpoint");
  auto h2 = storage.store_record(cp, "completedCheckpoint");
  CHECK(h1.path != h2.path);
  CHECK(fs::path{h1.path}.filename().string().rfind("completedCheckpoint-", 0) == 0);
  CHECK(fs::path{h1.path}.parent_path().string() == storage.directory());
  CHECK(h1.size == fs::file_size(h1.path));
  auto back = storage.load_record<completed_checkpoint>(h1);
  CHECK(back.checkpoint_id == 7);
  CHECK(back.states.size() == cp.states.size());
  // No temp files are left behind.
  CHECK(test::list_files(storage.directory()).size() == 2);
}

TEST_CASE("file storage: many stores never reuse a name") {
  testing::temp_dir dir;
  file_state_storage storage{dir.str()};
  std::set<std::string> paths;
  for (int i = 0; i < 200; ++i)
    paths.insert(storage.store_record(test::make_checkpoint("j", i), "p").path);
  CHECK(paths.size() == 200);
  CHECK(test::list_files(dir.str()).size() == 200);
}

TEST_CASE("file storage: a flipped byte is reported as corrupt with the path and the reason") {
  testing::temp_dir dir;
  file_state_storage storage{dir.str()};
  auto h = storage.store_record(test::make_checkpoint(testing::job_id("job"), 1), "cp");
  test::flip_byte(h.path, h.size - 1);
  CHECK(kind_of([&] { storage.load(h); }) == store_error::kind::corrupt);
  auto message = what_of([&] { storage.load(h); });
  CHECK(message.find(h.path) != std::string::npos);
  CHECK(message.find("checksum") != std::string::npos);
}

TEST_CASE("file storage: truncated, foreign and wrong-type files are corrupt") {
  testing::temp_dir dir;
  file_state_storage storage{dir.str()};
  auto h = storage.store_record(test::make_checkpoint(testing::job_id("job"), 1), "cp");

  SUBCASE("truncated, with the size the handle expects") {
    fs::resize_file(h.path, 10);
    CHECK(kind_of([&] { storage.load(h); }) == store_error::kind::corrupt);
  }
  SUBCASE("truncated, with a handle that does not know the size") {
    fs::resize_file(h.path, h.size - 3);
    auto unsized = h;
    unsized.size = 0;
    auto message = what_of([&] { storage.load(unsized); });
    CHECK(message.find("length mismatch") != std::string::npos);
  }
  SUBCASE("foreign bytes") {
    std::ofstream{h.path, std::ios::trunc} << "hello, this is not ours";
    auto unsized = h;
    unsized.size = 0;
    CHECK(what_of([&] { storage.load(unsized); }).find("bad magic") != std::string::npos);
  }
  SUBCASE("another record type") {
    CHECK(kind_of([&] { storage.load_record<submitted_job_graph>(h); })
          == store_error::kind::corrupt);
  }
}

TEST_CASE("file storage: a missing file is not_found, discard is idempotent") {
  testing::temp_dir dir;
  file_state_storage storage{dir.str()};
  auto h = storage.store_record(test::make_checkpoint(testing::job_id("job"), 1), "cp");
  storage.discard(h);
  CHECK_FALSE(fs::exists(h.path));
  CHECK(kind_of([&] { storage.load(h); }) == store_error::kind::not_found);
  storage.discard(h);  // a second discard is harmless
  CHECK(test::list_files(dir.str()).empty());
}

TEST_CASE("file storage: discard refuses paths outside the storage directory") {
  testing::temp_dir dir;
  file_state_storage storage{dir.file("inner")};
  auto outside = dir.file("precious");
  std::ofstream{outside} << "keep me";
  CHECK(kind_of([&] { storage.discard(state_handle{outside, 7}); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.discard(state_handle{storage.directory() + "/../precious", 7}); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.discard(state_handle{"", 0}); })
        == store_error::kind::invalid_argument);
  CHECK(fs::exists(outside));
}

TEST_CASE("file storage: bad inputs are refused before anything is written") {
  testing::temp_dir dir;
  file_state_storage storage{dir.str()};
  auto sealed = encode(test::make_checkpoint(testing::job_id("job"), 1));
  CHECK(kind_of([&] { storage.store(record_type::completed_checkpoint, "garbage", "cp"); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.store(record_type::submitted_job_graph, sealed, "cp"); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.store(record_type::completed_checkpoint, sealed, ""); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.store(record_type::completed_checkpoint, sealed, "a/b"); })
        == store_error::kind::invalid_argument);
  CHECK(kind_of([&] { storage.store(record_type::completed_checkpoint, sealed, ".hidden"); })
        == store_error::kind::invalid_argument);
  CHECK(test::list_files(dir.str()).empty());
}

TEST_CASE("file storage: an unusable directory gives a clear io error") {
  testing::temp_dir dir;
  auto file = dir.file("a-file");
  std::ofstream{file} << "x";
  SUBCASE("the directory is a file") {
    CHECK(kind_of([&] { file_state_storage{file}; }) == store_error::kind::io);
    CHECK(what_of([&] { file_state_storage{file}; }).find(file) != std::string::npos);
  }
  SUBCASE("a parent is a file") {
    CHECK(kind_of([&] { file_state_storage{file + "/sub"}; }) == store_error::kind::io);
  }
  SUBCASE("empty name") {
    CHECK(kind_of([&] { file_state_storage{""}; }) == store_error::kind::invalid_argument);
  }
  SUBCASE("the directory disappears after construction") {
    file_state_storage storage{dir.file("gone")};
    fs::remove_all(dir.file("gone"));
    CHECK(kind_of([&] { storage.store_record(test::make_checkpoint("j", 1), "cp"); })
          == store_error::kind::io);
  }
}

TEST_CASE("file storage: sweeping a prefix removes that job's files and leftovers, nothing else") {
  testing::temp_dir dir;
  file_state_storage storage{dir.file("recovery")};
  auto mine1 = storage.store_record(test::make_checkpoint("a", 1), "completedCheckpoint-a");
  auto mine2 = storage.store_record(test::make_checkpoint("a", 2), "completedCheckpoint-a");
  auto other = storage.store_record(test::make_checkpoint("ab", 1), "completedCheckpoint-ab");
  std::ofstream{storage.directory() + "/.completedCheckpoint-a-123.tmp"} << "half written";
  CHECK(storage.discard_all_with_prefix("completedCheckpoint-a") == 3);
  CHECK_FALSE(fs::exists(mine1.path));
  CHECK_FALSE(fs::exists(mine2.path));
  CHECK_FALSE(fs::exists(storage.directory() + "/.completedCheckpoint-a-123.tmp"));
  CHECK(fs::exists(other.path));  // "completedCheckpoint-ab-..." is another job's
  CHECK(storage.discard_all_with_prefix("completedCheckpoint-a") == 0);
  CHECK(kind_of([&] { storage.discard_all_with_prefix("../x"); })
        == store_error::kind::invalid_argument);
}

TEST_CASE("file storage: a forged handle never opens anything outside the directory or a file "
          "that is not regular") {
  testing::temp_dir dir;
  file_state_storage storage{dir.file("inner")};
  auto secret = dir.file("secret");
  // A sound envelope outside the directory: were it opened, load() would succeed.
  {
    std::ofstream out{secret, std::ios::binary};
    out << encode(test::make_checkpoint(testing::job_id("job"), 1));
  }
  auto size = fs::file_size(secret);
  auto in = [&](const std::string& name) { return storage.directory() + "/" + name; };
  auto refused = [&](const std::string& path, const char* why) {
    INFO(path);
    std::string what;
    try {
      storage.load(state_handle{path, 0});
    } catch (const store_error& e) {
      CHECK(e.which() == store_error::kind::corrupt);
      what = e.what();
    }
    CHECK(what.find(why) != std::string::npos);
  };
  SUBCASE("../ out of the directory") {
    refused(storage.directory() + "/../secret", "not a file of storage directory");
    refused(storage.directory() + "/./../secret", "not a file of storage directory");
  }
  SUBCASE("an absolute path elsewhere") {
    refused(secret, "not a file of storage directory");
    refused("/etc/passwd", "not a file of storage directory");
    refused("relative-name", "not a file of storage directory");
  }
  SUBCASE("a symlink inside the directory pointing out") {
    fs::create_symlink(secret, in("cp-link"));
    refused(in("cp-link"), "symbolic link");
    // ... and a symlinked directory inside it.
    fs::create_directory_symlink(dir.str(), in("sub"));
    refused(in("sub/secret"), "not a file of storage directory");
  }
  SUBCASE("a FIFO: refused at once, not waiting for a writer") {
    REQUIRE(::mkfifo(in("cp-fifo").c_str(), 0600) == 0);
    auto start = std::chrono::steady_clock::now();
    refused(in("cp-fifo"), "not a regular file");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
  SUBCASE("a directory, '.', '..' and a NUL byte") {
    fs::create_directory(in("cp-dir"));
    refused(in("cp-dir"), "not a regular file");
    refused(in("."), "not a file of storage directory");
    refused(in(".."), "not a file of storage directory");
    refused(in(std::string("cp\0x", 4)), "not a file name");
    refused("", "names no file");
  }
  SUBCASE("a device") {
    refused("/dev/zero", "not a file of storage directory");
    // Even if a device node were in the directory (only root makes one), it is not regular:
    // the same check refuses the character device a symlink-free path may name.
  }
  // Nothing was deleted or created outside, and discard refuses the same handles.
  CHECK(fs::file_size(secret) == size);
  CHECK(kind_of([&] { storage.discard(state_handle{storage.directory() + "/../secret", 0}); })
        == store_error::kind::invalid_argument);
  CHECK(fs::exists(secret));
}

TEST_CASE("file storage: a file larger than the cap is refused before it is read") {
  testing::temp_dir dir;
  auto sealed = encode(test::make_checkpoint(testing::job_id("job"), 1));
  file_state_storage storage{dir.str(), sealed.size()};
  auto h = storage.store(record_type::completed_checkpoint, sealed, "cp");
  CHECK_FALSE(storage.load(h).empty());  // exactly the cap is fine
  // A sparse file far larger than the default cap, without using the disk.
  fs::resize_file(h.path, file_state_storage::default_max_file_bytes + 1);
  std::string what;
  try {
    storage.load(state_handle{h.path, 0});
  } catch (const store_error& e) {
    CHECK(e.which() == store_error::kind::corrupt);
    what = e.what();
  }
  CHECK(what.find("more than the") != std::string::npos);
  file_state_storage default_cap{dir.str()};
  CHECK(kind_of([&] { default_cap.load(state_handle{h.path, 0}); }) == store_error::kind::corrupt);
  // store() refuses what load() would refuse.
  file_state_storage small{dir.str(), sealed.size() - 1};
  CHECK(kind_of([&] { small.store(record_type::completed_checkpoint, sealed, "cp"); })
        == store_error::kind::invalid_argument);
}

TEST_CASE("file storage: files are 0600 and new directories 0700 whatever the umask") {
  testing::temp_dir dir;
  auto old = ::umask(0);
  struct restore {
    mode_t mask;
    ~restore() { ::umask(mask); }
  } guard{old};
  file_state_storage storage{dir.file("a/b")};
  auto h = storage.store_record(test::make_checkpoint(testing::job_id("job"), 1), "cp");
  auto mode = [](const std::string& p) {
    struct stat st;
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
  };
  CHECK(mode(h.path) == 0600);
  CHECK(mode(dir.file("a/b")) == 0700);
  CHECK(mode(dir.file("a")) == 0700);
  ::umask(077);
  auto h2 = storage.store_record(test::make_checkpoint(testing::job_id("job"), 2), "cp");
  CHECK(mode(h2.path) == 0600);
  // A handle with another spelling of the same directory (through a symlink) still works.
  fs::create_directory_symlink(dir.file("a/b"), dir.file("link"));
  auto other = state_handle{dir.file("link") + "/" + fs::path{h.path}.filename().string(), 0};
  CHECK_FALSE(storage.load(other).empty());
}

TEST_CASE("file storage: an existing directory that group or others may enter is warned about") {
  testing::temp_dir dir;
  fs::create_directory(dir.file("shared"));
  ::chmod(dir.file("shared").c_str(), 0755);
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  file_state_storage shared{dir.file("shared")};
  file_state_storage own{dir.file("own")};
  spdlog::set_default_logger(previous);
  auto lines = sink->last_formatted();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(dir.file("shared") + " is accessible by group or others (mode 755)")
        != std::string::npos);
}
