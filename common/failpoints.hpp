// Named failpoints, in the spirit of FoundationDB's buggify and TiKV's fail-rs: every persisted
// step of Fjord calls `failpoint::hit("name")`, which does nothing unless the process was
// started with that failpoint armed:
//
//   FJORD_FAILPOINTS="sink.rename=error(EIO)@2,job.result.written=crash"   (or -D failpoints=...)
//
// An arming is `name=[P%]action[@K][*N]`:
//   crash           _exit(86) at once: no destructor, no flush, no cleanup (a SIGKILL's twin)
//   error(ERRNO)    throws std::system_error with that errno (EIO, ENOSPC, EMFILE, EACCES, ...)
//   delay(MS)       sleeps MS milliseconds, then goes on
//   pause           blocks the calling thread until the process is killed
//   off             disarmed
//   P%              fires on each hit with probability P (0-100)
//   @K              fires on the K-th hit only (counting from 1)
//   *N              fires on N hits in a row (from the K-th, or from the first)
// Every firing writes one line to stderr ("fjord: failpoint NAME fired: ACTION (hit K)") and,
// if FJORD_FAILPOINTS_LOG names a file, appends it there, so a test can assert that the fault
// happened even when the process is gone. `fjord failpoints` lists every name.
//
// Cost when nothing is armed: one relaxed atomic load per hit.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace fjord::failpoint {

struct info {
  const char* name;
  const char* process;  ///< where it runs: "jobmanager", "taskmanager" or "any"
  const char* description;
};

/// Every failpoint of Fjord, in the order of a job's life.
const std::vector<info>& catalog();

/// Arms the failpoints of `spec` (see above), replacing every earlier arming. Throws
/// fjord::config_error naming the problem (an unknown name, with the closest known one; a bad
/// action) and arms nothing then.
void configure(const std::string& spec);

/// configure(getenv("FJORD_FAILPOINTS")) if it is set and not empty.
void configure_from_environment();

/// Disarms every failpoint (for tests).
void reset();

/// How often `name` fired since it was armed.
int fired(const std::string& name);

namespace detail {
extern std::atomic<bool> armed;
void evaluate(const char* name);
}  // namespace detail

/// The failpoint `name` (from catalog()) is reached.
inline void hit(const char* name) {
  if (detail::armed.load(std::memory_order_relaxed))
    detail::evaluate(name);
}

}  // namespace fjord::failpoint
