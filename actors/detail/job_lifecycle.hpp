// The job's execution attempts, without messages: which attempt is current and what it waits
// for (restore → slots → deploy → wire → running), what every subtask of it reported, when the
// coordinator is told that the attempt runs and that every source ended, how many restarts the
// restart strategy has left, the zombies (killed tasks of earlier attempts whose down message
// has not come) and the end of the job. The job actor (actors/job.cpp) turns its decisions into
// messages and timers; everything here is plain state, tested alone
// (tests/unit/job_lifecycle_test.cpp).
//
// Every report is counted, never found by walking all subtasks: with 1,000 sources, a walk per
// report made each source's end-of-input and each state change cost thousands of steps.
//
// Not thread-safe: owned by one job actor.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "actors/detail/restart_backoff.hpp"
#include "messages/checkpoint.hpp"
#include "fjord/job_status.hpp"

namespace fjord {

class job_lifecycle {
 public:
  enum class phase {
    created,            ///< the first attempt has not begun
    restoring,          ///< the latest completed checkpoint is being read
    requesting_slots,   ///< waiting for the job manager's slots
    deploying,          ///< deploy requests are out; counting the tasks that arrived
    wiring,             ///< every task is deployed and told its channels; waiting for them to run
    running,            ///< every task runs (the coordinator was told so)
    restart_scheduled,  ///< the attempt failed and was stopped; the next one begins later
    terminating,        ///< the job ends on this JobManager: nothing begins or counts any more
  };

  /// Identifies one deployed task (one handle of one attempt) without naming the actor
  /// framework: the job maps its actor addresses to these. Never reused.
  using task_ref = std::uint64_t;

  struct subtask {
    subtask_key key;
    bool is_source = false;  ///< its end of input counts toward "every source ended"
  };

  enum class deploy_outcome {
    stale,      ///< another attempt, or the job ends: the caller kills the task
    accepted,   ///< counted; others are still missing
    all_there,  ///< the last one: the caller wires every task (now phase wiring)
  };

  struct deploy_result {
    deploy_outcome outcome = deploy_outcome::stale;
    task_ref ref = 0;  ///< of the accepted task
  };

  enum class task_event {
    ignored,       ///< stale, unknown subtask, or nothing follows
    all_running,   ///< the last task runs: the caller tells the coordinator (now phase running)
    all_finished,  ///< the last task finished: the caller ends the job as finished
    failed,        ///< the task failed: the caller reports the failure (see on_failure)
  };

  enum class failure_outcome {
    ignored,           ///< a restart is scheduled already (the failure belongs to the attempt
                       ///< that failed), or the job ends
    restart,           ///< counted: the attempt is stopped, the next one is due after `delay`
    no_restarts_left,  ///< counted: the caller ends the job as failed
  };

  struct failure_decision {
    failure_outcome outcome = failure_outcome::ignored;
    std::chrono::milliseconds delay{0};  ///< before the next attempt (restart only)
    std::int32_t stopped_attempt = 0;    ///< the attempt that failed (restart only)
  };

  enum class down_kind {
    unknown,        ///< not a task of this job any more (e.g. a zombie given up on)
    zombie,         ///< a killed task of an earlier attempt is gone at last
    finished_task,  ///< a task of the current attempt that had finished exited: nothing follows
    live_task,      ///< a task of the current attempt died: the caller reports a failure
  };

  struct down_result {
    down_kind kind = down_kind::unknown;
    subtask_key key;  ///< for finished_task and live_task
  };

  job_lifecycle(restart_settings restart, std::vector<subtask> subtasks);

  /// Whether `attempt` is due to begin: the current one, not begun yet (created, or restart
  /// scheduled).
  bool waiting_to_begin(std::int32_t attempt) const {
    return attempt == attempt_ && (phase_ == phase::created || phase_ == phase::restart_scheduled);
  }
  /// The current attempt begins: it reads the latest checkpoint first. Zombies still missing are
  /// given up on. False (and nothing changes) if it is not waiting to begin.
  bool begin_attempt();
  /// The latest checkpoint for `attempt` was read: ask for slots. False if stale.
  bool on_restored(std::int32_t attempt);
  /// Slots for `attempt` arrived: deploy every subtask, all in state deploying. False if stale.
  bool on_slots(std::int32_t attempt);
  /// A deploy request of `attempt` for `key` was answered with a task.
  deploy_result on_deployed(std::int32_t attempt, const subtask_key& key);
  /// A task of `attempt` reports `state`; at most one event follows from it.
  task_event on_task_state(std::int32_t attempt, const subtask_key& key, task_state state);
  /// A source of `attempt` emitted its last record. True if it was counted (a source of the
  /// current attempt, the first time); then ask take_sources_exhausted().
  bool on_end_of_input(std::int32_t attempt, const subtask_key& key);
  /// True once per attempt: every source ended and the attempt runs. Marks it told.
  bool take_sources_exhausted();

  /// A failure of the current attempt (a task failed or died, a deployment, the restore, the
  /// slots or the final checkpoint failed). Counts as a restart unless a restart is scheduled
  /// already or the job ends; a failure while the next attempt restores or deploys counts (a job
  /// that never gets its slots must fail once its restarts are used up). On restart the attempt
  /// is stopped (its tasks become zombies) and the attempt number moves on, so every late
  /// report of the failed one is stale.
  failure_decision on_failure();

  /// The coordinator confirmed that `attempt` is stopped: every checkpoint of it that the
  /// coordinator completed is with the store worker, so a restore read from now on sees it.
  void on_stop_confirmed(std::int32_t attempt);
  /// Whether the last stopped attempt is not confirmed yet: the next attempt must not read the
  /// latest checkpoint before (it could miss one the coordinator is about to store, and its
  /// sinks would then delete that checkpoint's staged output).
  bool waiting_for_stop_confirmation() const { return unconfirmed_stop_.has_value(); }
  /// Whether killed tasks of earlier attempts are not down yet. The next attempt waits for them
  /// a while, so that two attempts do not run side by side; begin_attempt() gives up on them.
  bool has_zombies() const { return !zombies_.empty(); }
  std::size_t zombie_count() const { return zombies_.size(); }

  /// The actor of `ref` is down.
  down_result on_down(task_ref ref);

  /// The job ends on this JobManager in `final_state`: the attempt is stopped and nothing
  /// begins or counts any more. False (and nothing changes) if it is ending already.
  bool terminate(job_state final_state);

  /// Whether a message or reply of `attempt` still matters: the current attempt, and the job
  /// does not end.
  bool is_current(std::int32_t attempt) const {
    return attempt == attempt_ && phase_ != phase::terminating;
  }

  phase current_phase() const { return phase_; }
  bool terminating() const { return phase_ == phase::terminating; }
  /// The state a user sees: created until the first attempt runs, restarting from a failure
  /// until the next one runs, and the final state once the job ends.
  job_state state() const;
  std::int32_t attempt() const { return attempt_; }
  std::int32_t restarts() const { return restarts_; }
  const restart_settings& restart_strategy() const { return backoff_.settings(); }
  /// The state `key` reported in the current attempt (deploying before any report).
  std::optional<task_state> state_of(const subtask_key& key) const;

  std::int32_t total_tasks() const { return static_cast<std::int32_t>(tasks_.size()); }
  std::int32_t deployed_tasks() const { return deployed_; }
  std::int32_t running_tasks() const { return running_; }
  std::int32_t finished_tasks() const { return finished_; }
  std::int32_t source_tasks() const { return sources_; }
  std::int32_t exhausted_sources() const { return exhausted_sources_; }

 private:
  struct task_entry {
    bool is_source = false;
    task_state state = task_state::deploying;
    bool deployed = false;
    bool exhausted = false;
    std::optional<task_ref> ref;  ///< while its actor is alive
  };

  /// Forgets the current attempt's tasks; the live ones become zombies.
  void stop_attempt();
  void set_task_state(task_entry& task, task_state state);
  /// Whether reports of the current attempt's tasks are taken now.
  bool tasks_deployed_or_deploying() const;

  restart_backoff backoff_;
  std::map<subtask_key, task_entry> tasks_;
  std::int32_t sources_ = 0;
  phase phase_ = phase::created;
  job_state final_state_ = job_state::created;
  std::int32_t attempt_ = 0;
  std::int32_t restarts_ = 0;
  std::int32_t deployed_ = 0;
  std::int32_t running_ = 0;
  std::int32_t finished_ = 0;
  std::int32_t exhausted_sources_ = 0;
  bool sources_exhausted_told_ = false;
  task_ref next_ref_ = 1;
  std::map<task_ref, subtask_key> live_;
  std::set<task_ref> zombies_;
  std::optional<std::int32_t> unconfirmed_stop_;
};

const char* to_string(job_lifecycle::phase p);

}  // namespace fjord
