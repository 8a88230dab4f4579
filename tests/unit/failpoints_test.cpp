// Named failpoints: arming syntax, what each action does, the hit counting, and the one-line
// errors for a bad arming. `crash` is tried by the crash-point matrix (a real process exits).
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <string>
#include <system_error>

#include "common/closest_match.hpp"
#include "common/failpoints.hpp"
#include "fjord/configuration.hpp"

using namespace fjord;

namespace {

struct disarm_after {
  ~disarm_after() { failpoint::reset(); }
};

std::string config_error_of(const std::string& spec) {
  try {
    failpoint::configure(spec);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

int errno_of_hit(const char* name) {
  try {
    failpoint::hit(name);
  } catch (const std::system_error& e) {
    return e.code().value();
  }
  return 0;
}

}  // namespace

TEST_CASE("failpoints: every catalogued name is unique, described and placed") {
  std::set<std::string> names;
  for (auto& fp : failpoint::catalog()) {
    CHECK(names.insert(fp.name).second);
    CHECK(std::string{fp.description}.size() > 10);
    std::string process = fp.process;
    CHECK((process == "jobmanager" || process == "taskmanager" || process == "any"));
  }
  CHECK(names.count("job.result.written") == 1);
  CHECK(names.count("sink.commit") == 1);
}

TEST_CASE("failpoints: unarmed, a hit does nothing") {
  disarm_after guard;
  failpoint::reset();
  CHECK(errno_of_hit("sink.commit") == 0);
  CHECK(failpoint::fired("sink.commit") == 0);
}

TEST_CASE("failpoints: error(ERRNO) throws that errno on every hit, @K on the K-th hit only") {
  disarm_after guard;
  failpoint::configure("sink.commit=error(ENOSPC),sink.stage=error(EIO)@3");
  CHECK(errno_of_hit("sink.commit") == ENOSPC);
  CHECK(errno_of_hit("sink.commit") == ENOSPC);
  CHECK(failpoint::fired("sink.commit") == 2);
  CHECK(errno_of_hit("sink.stage") == 0);
  CHECK(errno_of_hit("sink.stage") == 0);
  CHECK(errno_of_hit("sink.stage") == EIO);
  CHECK(errno_of_hit("sink.stage") == 0);
  CHECK(failpoint::fired("sink.stage") == 1);
  CHECK(errno_of_hit("sink.write") == 0);  // not armed
  failpoint::configure("sink.write=error(EIO)@2*3,sink.stage=error(EIO)*2");
  int pattern[6];
  for (auto& p : pattern)
    p = errno_of_hit("sink.write");
  CHECK(pattern[0] == 0);
  CHECK(pattern[1] == EIO);
  CHECK(pattern[3] == EIO);
  CHECK(pattern[4] == 0);
  CHECK(failpoint::fired("sink.write") == 3);
  CHECK(errno_of_hit("sink.stage") == EIO);
  CHECK(errno_of_hit("sink.stage") == EIO);
  CHECK(errno_of_hit("sink.stage") == 0);
  // A new arming replaces the old one entirely.
  failpoint::configure("sink.write=error");
  CHECK(errno_of_hit("sink.commit") == 0);
  CHECK(errno_of_hit("sink.write") == EIO);  // error without an errno is EIO
}

TEST_CASE("failpoints: a probability fires on about that share of the hits") {
  disarm_after guard;
  failpoint::configure("sink.write=25%error(EIO)");
  int failed = 0;
  for (int i = 0; i < 2000; ++i)
    failed += errno_of_hit("sink.write") != 0;
  CHECK(failed > 350);
  CHECK(failed < 650);
  failpoint::configure("sink.write=0%error(EIO),sink.stage=100%error(EIO)");
  CHECK(errno_of_hit("sink.write") == 0);
  CHECK(errno_of_hit("sink.stage") == EIO);
}

TEST_CASE("failpoints: delay(MS) waits, then goes on; off disarms") {
  disarm_after guard;
  failpoint::configure("sink.write=delay(30),sink.stage=off");
  auto started = std::chrono::steady_clock::now();
  CHECK(errno_of_hit("sink.write") == 0);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(30));
  CHECK(errno_of_hit("sink.stage") == 0);
  CHECK(failpoint::fired("sink.stage") == 0);
}

TEST_CASE("failpoints: a bad arming is one line naming the problem, and arms nothing") {
  disarm_after guard;
  failpoint::configure("sink.write=error(EIO)");
  auto unknown = config_error_of("sink.comit=crash");
  CHECK(unknown.find("unknown failpoint 'sink.comit'") != std::string::npos);
  CHECK(unknown.find("did you mean 'sink.commit'?") != std::string::npos);
  CHECK(config_error_of("sink.commit=explode").find("unknown action 'explode'")
        != std::string::npos);
  CHECK(config_error_of("sink.commit=error(EWHAT)").find("unknown errno 'EWHAT'")
        != std::string::npos);
  CHECK(config_error_of("sink.commit=crash@0").find("hits count from 1") != std::string::npos);
  CHECK(config_error_of("sink.commit=150%crash").find("at most 100%") != std::string::npos);
  CHECK(config_error_of("sink.commit=delay(x)").find("delay 'x'") != std::string::npos);
  CHECK(config_error_of("sink.commit").find("expected name=action") != std::string::npos);
  CHECK(config_error_of("sink.commit=crash(3)").find("takes no argument") != std::string::npos);
  CHECK(config_error_of("sink.commit=crash*0").find("N >= 1") != std::string::npos);
  CHECK(config_error_of("sink.commit=error(EIO").find("missing ')'") != std::string::npos);
  for (auto& spec : {"sink.comit=crash", "sink.commit=explode"})
    CHECK(config_error_of(spec).find('\n') == std::string::npos);
  // The earlier arming is still in force: a bad spec changed nothing.
  CHECK(errno_of_hit("sink.write") == EIO);
}

TEST_CASE("closest_match: a typo finds its key, an unrelated word finds nothing") {
  std::vector<std::string> keys{"execution.checkpointing.interval", "recovery.mode",
                                "jobmanager.port"};
  CHECK(closest_match("execution.checkpointing.intreval", keys)
        == std::optional<std::string>{"execution.checkpointing.interval"});
  CHECK(closest_match("recovery.mdoe", keys) == std::optional<std::string>{"recovery.mode"});
  CHECK_FALSE(closest_match("zzz", keys));
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}
