// A deposed leader's checkpoint writes are dropped by the checkpoint store worker (issue 9,
// defect 5): every write checks, on the worker's thread right before it runs, that the
// JobManager still holds the leadership it writes for; a write queued before the revocation and
// run after it fails with errc::fenced and stores nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/errors.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/job_ids.hpp"
#include "tests/support/latch_store.hpp"

using namespace fjord;
using namespace fjord::testing;

namespace {

completed_checkpoint checkpoint_of(const std::string& job, std::int64_t id) {
  completed_checkpoint cp;
  cp.job_id = job;
  cp.checkpoint_id = id;
  cp.states.push_back(subtask_state{"sink", 0, "state-" + std::to_string(id)});
  return cp;
}

}  // namespace

TEST_CASE("checkpoint store worker: writes after the leadership is gone are dropped as fenced") {
  runtime_config cfg;
  caf::actor_system sys{cfg};
  auto journal = std::make_shared<store_journal>();
  auto leads = std::make_shared<std::atomic<bool>>(true);
  auto job = job_id("fenced-writes");
  auto worker = spawn_checkpoint_store_worker(sys, std::make_shared<journaling_factory>(journal),
                                              job, 2, [leads] { return leads->load(); });
  caf::scoped_actor self{sys};
  auto add = [&](std::int64_t id) {
    caf::error failure;
    self->request(worker, caf::infinite, add_atom::value, checkpoint_of(job, id))
      .receive([](bool) {}, [&](caf::error& e) { failure = e; });
    return failure;
  };
  CHECK_FALSE(add(1));
  // Held in add() while the leadership is lost; a second add waits in the mailbox behind it.
  journal->block_adds = true;
  self->send(worker, add_atom::value, checkpoint_of(job, 2));
  REQUIRE(eventually([&] { return journal->blocked_adds.load() == 1; }));
  leads->store(false);
  journal->block_adds = false;
  journal->release_promise.set_value();
  auto late = add(3);
  REQUIRE(late);
  CHECK(errc_of(late) == errc::fenced);
  CHECK(describe(late).find("no longer leads") != std::string::npos);
  std::int64_t next = -1;
  caf::error id_failure;
  self->request(worker, caf::infinite, next_id_atom::value)
    .receive([&](std::int64_t id) { next = id; }, [&](caf::error& e) { id_failure = e; });
  CHECK(errc_of(id_failure) == errc::fenced);
  CHECK(next == -1);
  // Checkpoint 2 had passed the check before the revocation (the window README's guarantees
  // name); checkpoint 3 never reached the store.
  CHECK(journal->added_ids() == std::vector<std::int64_t>{1, 2});
  self->send_exit(worker, caf::exit_reason::user_shutdown);
}
