// The fixture of the deterministic actor tests (tests/deterministic/): an actor system on CAF's
// test coordinator (no worker threads, a virtual clock) with Fjord's runtime configuration, the
// caf/test/dsl.hpp vocabulary (expect, allow, disallow, inject; link caf_doctest_bridge.cpp), and
// a recorder actor that stands in for a job, a task or a TaskManager and keeps what it got.
//
// Include it LAST: dsl.hpp defines function-like macros named expect, allow, disallow, inject.
// A fatal DSL failure (wrong message type, empty mailbox) aborts the process, so each test case
// runs in its own CTest entry. Drive the actors with sched.run() / sched.run_once() and fire
// timers with advance_time() / trigger_timeouts(); the fixture's run() also fires every timer.
#pragma once

#include <doctest/doctest.h>  // before dsl.hpp: its request<T>() calls a bare FAIL(...)

#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/runtime_config.hpp"

#include <caf/test/dsl.hpp>  // last

namespace fjord::testing {

/// Everything a recorder actor got, in order of arrival.
struct recorder_state {
  std::vector<caf::message> received;
  static inline const char* name = "fjord.test_recorder";
};

/// Accepts any message and keeps it (down messages of actors it monitors too); never replies,
/// so a request to it stays unanswered.
inline caf::behavior recorder(caf::stateful_actor<recorder_state>* self) {
  self->set_down_handler(
    [self](caf::down_msg& dm) { self->state.received.push_back(caf::make_message(dm)); });
  self->set_default_handler(
    [self](caf::scheduled_actor*, caf::message_view& view) -> caf::result<caf::message> {
      self->state.received.push_back(view.move_content_to_message());
      return caf::message{};
    });
  return {[] {}};  // nothing matches an empty message but this: the default handler gets the rest
}

class deterministic_fixture : public test_coordinator_fixture<runtime_config> {
 public:
  /// Drains whatever a failed check left behind; ~actor_system would wait for it for ever.
  ~deterministic_fixture() override {
    do
      sched.clock().cancel_all();
    while (sched.run() > 0);
  }

  caf::actor spawn_recorder() { return sys.spawn(recorder); }

  /// Makes `recorder_actor` monitor `whom`: it records `whom`'s down_msg.
  void watch(const caf::actor& recorder_actor, const caf::actor& whom) {
    deref<caf::stateful_actor<recorder_state>>(recorder_actor).monitor(whom);
  }

  /// True if `whom` has a message waiting.
  bool has_mail(const caf::actor& whom) {
    auto ptr = caf::actor_cast<caf::abstract_actor*>(whom);
    for (auto* job : sched.jobs)
      if (dynamic_cast<caf::abstract_actor*>(job) == ptr)
        return true;
    return false;
  }

  /// Every message of type T that `recorder_actor` got, in order.
  template <class T>
  std::vector<T> recorded(const caf::actor& recorder_actor) {
    std::vector<T> result;
    auto& st = deref<caf::stateful_actor<recorder_state>>(recorder_actor).state;
    for (auto& msg : st.received)
      if (msg.match_elements<T>())
        result.push_back(msg.get_as<T>(0));
    return result;
  }

  /// The last message of type T that `recorder_actor` got; fails the test if there is none.
  template <class T>
  T last(const caf::actor& recorder_actor) {
    auto all = recorded<T>(recorder_actor);
    REQUIRE_FALSE(all.empty());
    return all.back();
  }

  /// True if no actor has anything to do: every message sent so far was consumed and none of
  /// them made anybody send another one (pending timers do not count).
  bool quiet() const { return !sched.has_job(); }
};

}  // namespace fjord::testing
