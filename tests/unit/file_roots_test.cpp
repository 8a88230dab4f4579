// taskmanager.file-roots (common/file_roots.hpp): a job path is allowed only if it resolves, with
// `..` and symlinks followed as the kernel would follow them, into a root; a path that does not
// exist yet through its nearest existing parent.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "common/file_roots.hpp"
#include "fjord/configuration.hpp"
#include "tests/support/temp_dir.hpp"

using namespace fjord;
using fjord::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

/// <tmp>/data (the root, with in.txt), <tmp>/database (a sibling sharing its prefix) and
/// <tmp>/secret.txt (outside).
struct roots_fixture {
  temp_dir dir;
  fs::path base = fs::canonical(dir.path());
  fs::path data = base / "data";
  fs::path database = base / "database";
  fs::path secret = base / "secret.txt";
  roots_fixture() {
    fs::create_directories(data / "sub");
    fs::create_directories(database);
    std::ofstream{data / "in.txt"} << "inside\n";
    std::ofstream{database / "in.txt"} << "beside\n";
    std::ofstream{secret} << "secret\n";
  }
  file_roots roots() const { return file_roots{{data.string()}}; }
};

}  // namespace

TEST_CASE("file roots: unset allows every path as it is") {
  file_roots anywhere;
  CHECK(anywhere.unrestricted());
  auto checked = anywhere.check("relative/../path");
  CHECK(checked);
  CHECK(checked.resolved == "relative/../path");
  configuration config;
  CHECK(file_roots::from(config).unrestricted());
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: paths inside a root are allowed and resolved") {
  auto roots = this->roots();
  auto file = roots.check((data / "in.txt").string());
  CHECK(file);
  CHECK(file.resolved == (data / "in.txt").string());
  CHECK(roots.check(data.string()));
  // Through `..` that stays inside, and a directory that does not exist yet (a sink's).
  auto back = roots.check((data / "sub/../in.txt").string());
  CHECK(back);
  CHECK(back.resolved == (data / "in.txt").string());
  auto fresh = roots.check((data / "sub/out/today").string());
  CHECK(fresh);
  CHECK(fresh.resolved == (data / "sub/out/today").string());
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: '..' out of a root is refused") {
  auto checked = roots().check((data / "../secret.txt").string());
  CHECK_FALSE(checked);
  CHECK(checked.problem == "'" + (data / "../secret.txt").string()
                             + "' is outside taskmanager.file-roots (" + data.string()
                             + "): it resolves to '" + secret.string() + "'");
  // Climbing out below the last existing directory, where realpath cannot see it.
  auto climbing = roots().check((data / "new/../../secret.txt").string());
  CHECK_FALSE(climbing);
  CHECK(climbing.problem.find("has '..' after its last existing directory")
        != std::string::npos);
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: a symlink inside a root that points out is "
                                 "refused, for a file and for a directory") {
  fs::create_symlink(secret, data / "link.txt");
  fs::create_directory_symlink(base, data / "up");
  auto roots = this->roots();
  auto file = roots.check((data / "link.txt").string());
  CHECK_FALSE(file);
  CHECK(file.problem.find("it resolves to '" + secret.string() + "'") != std::string::npos);
  auto below = roots.check((data / "up/secret.txt").string());
  CHECK_FALSE(below);
  auto created_below = roots.check((data / "up/out/new").string());  // a sink's output_dir
  CHECK_FALSE(created_below);
  CHECK(created_below.problem.find("it resolves to '" + (base / "out/new").string() + "'")
        != std::string::npos);
  // A dangling symlink could be pointed anywhere after the check.
  fs::create_symlink(base / "not-yet", data / "dangling");
  auto dangling = roots.check((data / "dangling/out").string());
  CHECK_FALSE(dangling);
  CHECK(dangling.problem.find("dangling symlink") != std::string::npos);
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: /data does not contain /database") {
  auto checked = roots().check((database / "in.txt").string());
  CHECK_FALSE(checked);
  CHECK(checked.problem.find("is outside taskmanager.file-roots") != std::string::npos);
  auto with_both = file_roots{{data.string(), database.string()}};
  CHECK(with_both.check((database / "in.txt").string()));
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: a relative path is refused when roots are set") {
  auto checked = roots().check("data/in.txt");
  CHECK_FALSE(checked);
  CHECK(checked.problem
        == "'data/in.txt' is not an absolute path (taskmanager.file-roots is set)");
}

TEST_CASE_FIXTURE(roots_fixture, "file roots: read from a comma separated key; a root that is "
                                 "missing, relative or a file is a configuration error") {
  configuration config;
  config.set("taskmanager.file-roots", " " + data.string() + " , " + database.string() + ",");
  auto parsed = file_roots::from(config);
  CHECK(parsed.roots() == std::vector<std::string>{data.string(), database.string()});
  CHECK(parsed.describe() == data.string() + ", " + database.string());

  config.set("taskmanager.file-roots", (base / "missing").string());
  CHECK_THROWS_WITH_AS(file_roots::from(config),
                       ("taskmanager.file-roots: '" + (base / "missing").string()
                        + "': No such file or directory")
                         .c_str(),
                       config_error);
  config.set("taskmanager.file-roots", "data");
  CHECK_THROWS_WITH_AS(file_roots::from(config),
                       "taskmanager.file-roots: 'data' is not an absolute path", config_error);
  config.set("taskmanager.file-roots", secret.string());
  CHECK_THROWS_WITH_AS(file_roots::from(config),
                       ("taskmanager.file-roots: '" + secret.string() + "' is not a directory")
                         .c_str(),
                       config_error);
}
