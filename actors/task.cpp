#include "actors/task.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/detail/barrier_aligner.hpp"
#include "actors/detail/ready_channels.hpp"
#include "actors/detail/task_lifecycle.hpp"
#include "common/failpoints.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/data_messages.hpp"
#include "fjord/operator_registry.hpp"

namespace fjord {

namespace {

using out_element = std::variant<std::vector<record>, barrier>;
using in_element = std::variant<std::vector<record>, barrier>;

struct out_channel {
  task_actor receiver;
  std::int32_t receiver_channel = 0;
  std::int32_t credits = 0;
  std::vector<record> building;
  std::deque<out_element> pending;
};

struct out_gate {
  partitioning part = partitioning::forward;
  key_selector key;
  std::size_t first = 0;  ///< index of its first channel in task_actor_state::outputs
  std::size_t count = 0;
  std::size_t next = 0;  ///< round robin position
};

struct in_channel {
  task_actor sender;
  std::int32_t sender_channel = 0;
  std::deque<in_element> queue;
  std::int32_t consumed = 0;  ///< batches taken since the last credit sent back
};

struct task_actor_state;

/// Routes emitted records into the output channels' batches.
class routing_collector : public collector {
 public:
  explicit routing_collector(task_actor_state& st) : st_(st) {}
  void emit(record r) override;

 private:
  task_actor_state& st_;
};

struct task_actor_state {
  /// The job's operators (its plugins over the built-ins); null: the global registry.
  std::shared_ptr<const operator_registry> operators;
  const operator_registry& registry() const {
    return operators ? *operators : operator_registry::global();
  }
  std::string session;
  task_deployment d;
  task_options options;
  std::unique_ptr<operator_base> op;
  /// A sink's snapshot stages output for a commit: if it fails, the sink's files are in an
  /// unknown state and the task fails instead of declining (issue 9, defect 2).
  bool is_sink = false;
  source_operator* source = nullptr;
  stream_operator* stream = nullptr;
  routing_collector out{*this};

  std::vector<out_gate> gates;
  std::vector<out_channel> outputs;
  std::vector<in_channel> inputs;
  std::optional<barrier_aligner> aligner;
  ready_channels ready;  ///< inputs with queued input that alignment does not hold back

  /// Replaced with the source role once the operator turns out to be a source.
  task_lifecycle lifecycle{task_lifecycle::role::stream};
  bool poll_scheduled = false;  ///< a poll_atom is on its way: that turn polls or drains next

  std::int64_t records_in = 0;
  std::int64_t records_out = 0;
  /// Credits granted before start_task arrived, with who granted them: only those of the
  /// channel's receiver count once the channels are known.
  struct early_credit {
    std::int32_t channel = 0;
    caf::actor_addr granted_by;
    std::int32_t batches = 0;
  };
  std::vector<early_credit> early_credits;

  /// Messages dropped because their sender is not the one wired to send them, per kind, and
  /// when each kind was last logged (one warning per kind and second at most).
  struct dropped_kind {
    std::int64_t count = 0;
    std::int64_t unlogged = 0;
    std::chrono::steady_clock::time_point logged{};
  };
  std::map<std::string, dropped_kind> dropped;

  std::string label() const { return d.vertex + "#" + std::to_string(d.subtask); }

  static inline const char* name = "fjord.task";
};

/// Queues the batch being built and starts the next one with room for as many records as the
/// sealed one held (at most a full batch): without the reserve, every partial batch a flush or a
/// barrier seals would regrow 1, 2, 4, ... records (std::vector<record>::_M_realloc_insert showed
/// in a TaskManager's profile). Not a full batch every time: in-process the capacity travels with
/// the batch, and a slow stream flushing a few records per turn would hold a full batch's memory
/// in every batch in flight.
void seal_batch(out_channel& ch, std::size_t batch_size) {
  auto sealed = ch.building.size();
  ch.pending.emplace_back(std::move(ch.building));
  ch.building = {};
  ch.building.reserve(std::min(batch_size, sealed));
}

void routing_collector::emit(record r) {
  auto& st = st_;
  ++st.records_out;
  auto push = [&](std::size_t index, record rec) {
    auto& ch = st.outputs[index];
    ch.building.push_back(std::move(rec));
    if (ch.building.size() >= st.options.batch_size)
      seal_batch(ch, st.options.batch_size);
  };
  for (std::size_t g = 0; g < st.gates.size(); ++g) {
    auto& gate = st.gates[g];
    bool last_gate = g + 1 == st.gates.size();
    switch (gate.part) {
      case partitioning::forward:
        push(gate.first + static_cast<std::size_t>(st.d.subtask) % gate.count,
             last_gate ? std::move(r) : r);
        break;
      case partitioning::hash: {
        // The key first: argument evaluation order is unspecified, and a moved-from text
        // would send every text record to the same subtask.
        auto index = gate.first + gate.key(r) % gate.count;
        push(index, last_gate ? std::move(r) : r);
        break;
      }
      case partitioning::rebalance:
        push(gate.first + gate.next, last_gate ? std::move(r) : r);
        gate.next = (gate.next + 1) % gate.count;
        break;
      case partitioning::broadcast:
        for (std::size_t i = 0; i < gate.count; ++i)
          push(gate.first + i, r);
        break;
    }
  }
}

/// The task itself, as its handlers see it.
using task_self = task_actor::stateful_base<task_actor_state>;

/// Sends what credits allow, in order; barriers need no credit but never overtake records.
void send_pending(task_self* self, out_channel& ch) {
  while (!ch.pending.empty()) {
    auto& front = ch.pending.front();
    if (auto* b = std::get_if<barrier>(&front)) {
      self->send(ch.receiver, *b);
    } else {
      if (ch.credits <= 0)
        return;
      --ch.credits;
      self->send(ch.receiver,
                 data_batch{ch.receiver_channel, std::move(std::get<std::vector<record>>(front))});
    }
    ch.pending.pop_front();
  }
}

/// Moves partially filled batches to the pending queues and sends what credits allow.
void flush_outputs(task_self* self) {
  auto& st = self->state;
  for (auto& ch : st.outputs) {
    if (!ch.building.empty())
      seal_batch(ch, st.options.batch_size);
    send_pending(self, ch);
  }
}

bool has_room(const task_actor_state& st) {
  for (auto& ch : st.outputs)
    if (ch.pending.size() >= st.options.max_pending_batches)
      return false;
  return true;
}

void emit_barrier(task_self* self, std::int64_t id, std::int64_t timestamp, bool is_final) {
  auto& st = self->state;
  for (auto& ch : st.outputs) {
    if (!ch.building.empty())
      seal_batch(ch, st.options.batch_size);
    ch.pending.emplace_back(barrier{ch.receiver_channel, id, timestamp, is_final});
    send_pending(self, ch);
  }
}

void report_state(task_self* self, task_state state, const std::string& error = {});

void send_metrics(task_self* self) {
  auto& st = self->state;
  self->send(st.d.job, task_metrics{st.session, st.d.job_id, st.d.attempt, st.d.vertex,
                                    st.d.subtask, st.records_in, st.records_out});
}

void fail(task_self* self, const std::string& why) {
  auto& st = self->state;
  if (!st.lifecycle.fail())
    return;  // reported already, or finished
  spdlog::warn("task {} of job {} (attempt {}) failed: {}", st.label(), short_id(st.d.job_id),
               st.d.attempt, why);
  report_state(self, task_state::failed, why);
  self->quit(caf::make_error(caf::sec::runtime_error, why));
}

void report_state(task_self* self, task_state state, const std::string& error) {
  auto& st = self->state;
  self->send(st.d.job, task_state_changed{st.session, st.d.job_id, st.d.attempt, st.d.vertex,
                                          st.d.subtask, state, error});
}

void acknowledge(task_self* self, std::int64_t checkpoint_id, std::string bytes) {
  auto& st = self->state;
  acknowledge_checkpoint ack;
  ack.leader_session = st.session;
  ack.job_id = st.d.job_id;
  ack.attempt = st.d.attempt;
  ack.checkpoint_id = checkpoint_id;
  ack.state = subtask_state{st.d.vertex, st.d.subtask, std::move(bytes)};
  self->send(st.d.coordinator, std::move(ack));
}

void decline(task_self* self, std::int64_t checkpoint_id, const std::string& reason) {
  auto& st = self->state;
  self->send(st.d.coordinator,
             decline_checkpoint{st.session, st.d.job_id, st.d.attempt, checkpoint_id,
                                st.d.vertex, st.d.subtask, reason});
}

void schedule_poll(task_self* self) {
  auto& st = self->state;
  if (st.poll_scheduled || st.lifecycle.ignores_messages())
    return;
  st.poll_scheduled = true;
  self->send(self, poll_atom::value);
}

/// Sources: emit one batch worth of records if there is room.
void poll_source(task_self* self) {
  auto& st = self->state;
  if (!st.lifecycle.polling() || !has_room(st))
    return;
  auto result = st.source->poll(st.out, st.options.batch_size * 2);
  flush_outputs(self);
  switch (result.status) {
    case source_operator::poll_status::more:
      schedule_poll(self);
      break;
    case source_operator::poll_status::idle:
      st.poll_scheduled = true;
      // At least 5 ms: 1,000 sources re-polled every millisecond kept the scheduler busy
      // with timers for a record or two each (the token bucket holds 10 ms worth, so the
      // rate is kept).
      self->delayed_send(self, std::max(result.wait, std::chrono::milliseconds{5}),
                         poll_atom::value);
      break;
    case source_operator::poll_status::exhausted:
      st.lifecycle.record_end_of_input();  // true: polling() held
      send_metrics(self);  // the final counts first
      self->send(st.d.job, end_of_input{st.session, st.d.job_id, st.d.attempt, st.d.vertex,
                                        st.d.subtask});
      break;
  }
}

/// The one checkpoint path (DESIGN.md, checkpoint protocol steps 2 and 3): snapshot, emit the
/// barrier into every output channel, acknowledge. A source takes it on trigger_checkpoint,
/// any other task once the barrier aligned on all its inputs.
void take_checkpoint(task_self* self, std::int64_t checkpoint_id, std::int64_t timestamp_ms,
                     bool is_final) {
  auto& st = self->state;
  bool source = st.lifecycle.is_source();
  std::string bytes;
  try {
    // What a stream operator still holds (a window, a count) is emitted before the final
    // barrier and in the final snapshot.
    if (is_final && !source)
      st.stream->end_of_input(st.out);
    failpoint::hit("task.snapshot.before");
    bytes = st.op->snapshot(checkpoint_id);
  } catch (const std::exception& e) {
    if (st.is_sink) {
      decline(self, checkpoint_id, std::string{"snapshot failed: "} + e.what());
      fail(self, std::string{"sink snapshot failed: "} + e.what());
      return;
    }
    // The checkpoint fails fast; the task itself stays healthy unless this was the end.
    decline(self, checkpoint_id, std::string{"snapshot failed: "} + e.what());
    if (source && is_final)
      return;  // the stream goes on: the next final checkpoint's barrier ends it
    // Downstream aligns on this barrier too — a source's as much as any other task's: a task
    // with several inputs would otherwise hold back the inputs whose barrier came and fail on
    // the next checkpoint's barrier. Its snapshots of the declined checkpoint are dropped.
    emit_barrier(self, checkpoint_id, timestamp_ms, is_final);
    if (is_final)
      fail(self, std::string{"final snapshot failed: "} + e.what());
    return;
  }
  emit_barrier(self, checkpoint_id, timestamp_ms, is_final);
  acknowledge(self, checkpoint_id, std::move(bytes));
  failpoint::hit("task.acknowledge.sent");
  // Refused only for a second final barrier or a source's before its end of input: the trigger
  // check and the aligner (a final barrier closes its channels) rule both out.
  if (is_final && !st.lifecycle.record_final_barrier(checkpoint_id))
    fail(self, "final barrier " + std::to_string(checkpoint_id) + " after the stream ended");
}

/// Barrier `a` arrived on every open input: checkpoint, then let the held-back input through.
void on_aligned(task_self* self, const barrier_aligner::aligned& a) {
  take_checkpoint(self, a.checkpoint_id, a.timestamp_ms, a.is_final);
  self->state.aligner->release();
}

/// Non-sources: process queued input while there is room downstream.
void drain_inputs(task_self* self) {
  auto& st = self->state;
  constexpr int max_batches_per_turn = 16;
  int processed = 0;
  // Credit goes back in groups of half the initial credits, not one message per batch: the
  // sender still holds at least half of its credits whenever all it sent was taken.
  auto credit_every = std::max<std::int32_t>(1, st.options.initial_credits / 2);
  // A failed final checkpoint fails the task mid-loop.
  while (!st.lifecycle.ignores_messages() && has_room(st)) {
    // The next channel with input that is not held back by alignment, round robin.
    auto pick = st.ready.pop();
    if (!pick)
      break;
    auto i = *pick;
    auto& in = st.inputs[i];
    auto element = std::move(in.queue.front());
    in.queue.pop_front();
    if (auto* batch = std::get_if<std::vector<record>>(&element)) {
      if (!in.queue.empty())
        st.ready.push(i);
      st.records_in += static_cast<std::int64_t>(batch->size());
      for (auto& r : *batch)
        st.stream->process(r, st.out);
      if (++in.consumed >= credit_every) {
        self->send(in.sender, credit{in.sender_channel, in.consumed});
        in.consumed = 0;
      }
      if (++processed >= max_batches_per_turn) {
        flush_outputs(self);
        schedule_poll(self);  // continue in the next turn, after other messages
        return;
      }
    } else {
      auto& b = std::get<barrier>(element);
      auto aligned = st.aligner->on_barrier(i, b.checkpoint_id, b.timestamp_ms, b.is_final);
      if (!aligned)
        continue;  // channel i is blocked now: it stays out of the ready set
      on_aligned(self, *aligned);
      // Every channel is unblocked again: those with held-back input are ready.
      for (std::size_t k = 0; k < st.inputs.size(); ++k)
        if (!st.inputs[k].queue.empty() && !st.aligner->blocked(k))
          st.ready.push(k);
    }
  }
  flush_outputs(self);
}

void resume(task_self* self) {
  auto& st = self->state;
  if (!st.lifecycle.active())
    return;
  if (st.lifecycle.is_source()) {
    if (!st.poll_scheduled)
      poll_source(self);
  } else {
    drain_inputs(self);
  }
}

/// Runs `f`; an exception from the operator fails the task.
template <class F>
void guarded(task_self* self, const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    fail(self, std::string{what} + ": " + e.what());
  }
}

bool accepts(const task_actor_state& st, const std::string& session, const std::string& job_id,
             std::int32_t attempt) {
  return session == st.session && job_id == st.d.job_id && attempt == st.d.attempt;
}

/// The sender of the message being handled.
caf::actor_addr sender_of(task_self* self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

/// True if the message being handled comes from `expected`. Otherwise it is dropped: counted,
/// and logged once per kind and second (a stranger must not be able to fill the log either).
/// Sent by a peer over the middleman, the sender is the proxy of the actor that sent it;
/// delegate() and forward would keep an earlier sender, but none of a task's senders uses them.
template <class Handle>
bool from_wired(task_self* self, const Handle& expected, const char* what) {
  auto sender = sender_of(self);
  if (expected && sender == expected.address())
    return true;
  auto& st = self->state;
  auto& kind = st.dropped[what];
  ++kind.count;
  ++kind.unlogged;
  auto now = std::chrono::steady_clock::now();
  if (kind.count == 1 || now - kind.logged >= std::chrono::seconds(1)) {
    spdlog::warn("task {} of job {}: dropped {} {} message(s) from {}, not the actor wired to "
                 "send them ({} in all)",
                 st.label(), short_id(st.d.job_id), kind.unlogged, what,
                 sender ? caf::to_string(sender) : std::string{"an anonymous sender"},
                 kind.count);
    kind.unlogged = 0;
    kind.logged = now;
  }
  return false;
}

/// from_wired for the task's own messages (poll, tick, fail).
bool from_self(task_self* self, const char* what) {
  return from_wired(self, caf::actor_cast<caf::actor>(self), what);
}

/// The task's operator parameters, with every path parameter (operator_descriptor::path_params)
/// checked against the file roots and replaced by the path it resolves to, so that the operator
/// opens what was checked. Throws std::runtime_error naming the parameter.
nlohmann::json confined_params(const std::string& vertex, const std::string& params_json,
                               const operator_descriptor& descriptor, const file_roots& roots) {
  auto params = nlohmann::json::parse(params_json);
  if (roots.unrestricted() || !params.is_object())
    return params;
  for (auto& name : descriptor.path_params) {
    auto value = params.find(name);
    if (value == params.end() || !value->is_string())
      continue;
    auto checked = roots.check(value->get<std::string>());
    if (!checked)
      throw std::runtime_error("vertex '" + vertex + "' params." + name + ": " + checked.problem);
    *value = checked.resolved;
  }
  return params;
}

task_actor::behavior_type task_behavior(task_self* self, std::string session,
                                        task_deployment d, task_options options,
                                        std::shared_ptr<const operator_registry> operators) {
  auto& st = self->state;
  st.operators = std::move(operators);
  st.session = std::move(session);
  st.d = std::move(d);
  st.options = options;
  st.inputs.resize(static_cast<std::size_t>(st.d.num_input_channels));
  st.aligner.emplace(st.inputs.size());
  st.ready = ready_channels{st.inputs.size()};
  try {
    auto& registry = st.registry();
    auto* descriptor = registry.find(st.d.op);
    if (descriptor == nullptr)
      throw std::runtime_error("unknown operator '" + st.d.op + "'");
    st.op = descriptor->create();
    st.is_sink = descriptor->role == operator_role::sink;
    st.source = dynamic_cast<source_operator*>(st.op.get());
    st.stream = dynamic_cast<stream_operator*>(st.op.get());
    if (!st.source && !st.stream)
      throw std::runtime_error("operator '" + st.d.op + "' is neither a source nor a stream "
                               "operator");
    if (st.source)
      st.lifecycle = task_lifecycle{task_lifecycle::role::source};  // still created
    operator_context ctx;
    ctx.job_id = st.d.job_id;
    ctx.vertex = st.d.vertex;
    ctx.subtask = st.d.subtask;
    ctx.parallelism = st.d.parallelism;
    ctx.attempt = st.d.attempt;
    ctx.params = operator_params(
      confined_params(st.d.vertex, st.d.params_json, *descriptor, st.options.file_roots),
      "vertex '" + st.d.vertex + "' params");
    // The operator's own parameter check, here too: the deployment may come from a graph that
    // no client validated (a plugin's operator is checked nowhere else).
    if (descriptor->validate)
      descriptor->validate(ctx.params);
    st.op->open(ctx);
    if (st.d.has_state)
      st.op->restore(st.d.state, st.d.restored_checkpoint_id);
    st.d.state.clear();
    st.d.state.shrink_to_fit();
  } catch (const std::exception& e) {
    auto why = std::string{"cannot start: "} + e.what();
    self->send(self, fail_atom::value, why);
  }
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.reason == caf::exit_reason::remote_link_unreachable
        && !self->state.lifecycle.ignores_messages())
      fail(self, "lost the connection to a peer task on another task manager");
  });
  return {
    [=](fail_atom, const std::string& why) {
      if (from_self(self, "fail"))
        fail(self, why);
    },
    [=](const start_task& msg) {
      auto& st = self->state;
      if (!from_wired(self, st.d.job, "start_task"))
        return;
      if (!accepts(st, msg.leader_session, msg.job_id, msg.attempt)
          || st.lifecycle.current_phase() != task_lifecycle::phase::created)
        return;
      guarded(self, "wiring", [&] {
        auto& registry = st.registry();
        for (auto& gate : msg.outputs) {
          out_gate g;
          g.part = gate.part;
          g.first = st.outputs.size();
          g.count = gate.channels.size();
          if (g.count == 0)
            throw std::runtime_error("output gate to '" + gate.target_vertex
                                     + "' has no channels");
          if (gate.part == partitioning::hash)
            g.key = registry.key_selector_for(
              gate.target_op, operator_params(nlohmann::json::parse(gate.target_params_json),
                                              "vertex '" + gate.target_vertex + "' params"));
          g.next = static_cast<std::size_t>(st.d.subtask) % g.count;
          for (auto& ch : gate.channels) {
            out_channel oc;
            oc.receiver = ch.receiver;
            oc.receiver_channel = ch.receiver_channel;
            oc.building.reserve(st.options.batch_size);
            st.outputs.push_back(std::move(oc));
          }
          st.gates.push_back(std::move(g));
        }
        if (msg.inputs.size() != st.inputs.size())
          throw std::runtime_error("expected " + std::to_string(st.inputs.size())
                                   + " input channels, got " + std::to_string(msg.inputs.size()));
        for (std::size_t i = 0; i < msg.inputs.size(); ++i) {
          st.inputs[i].sender = msg.inputs[i].sender;
          st.inputs[i].sender_channel = msg.inputs[i].sender_channel;
          self->send(st.inputs[i].sender,
                     credit{st.inputs[i].sender_channel, st.options.initial_credits});
        }
        // A peer on another TaskManager is watched: its down message arrives when the direct
        // connection to its node is lost (a partition, a dead TaskManager), and this task fails
        // instead of sending into the void (the job restarts from its checkpoint).
        for (auto& out : st.outputs)
          if (out.receiver && out.receiver.node() != self->node())
            self->monitor(out.receiver);
        for (auto& in : st.inputs)
          if (in.sender && in.sender.node() != self->node())
            self->monitor(in.sender);
        for (auto& early : st.early_credits) {
          if (early.channel < 0 || static_cast<std::size_t>(early.channel) >= st.outputs.size())
            continue;
          auto& ch = st.outputs[static_cast<std::size_t>(early.channel)];
          if (early.granted_by == ch.receiver.address())
            ch.credits += early.batches;
          else
            spdlog::warn("task {} of job {}: dropped {} early credit(s) on channel {} from {}, "
                         "not its receiver",
                         st.label(), short_id(st.d.job_id), early.batches, early.channel,
                         early.granted_by ? caf::to_string(early.granted_by)
                                          : std::string{"an anonymous sender"});
        }
        st.early_credits.clear();
        st.lifecycle.start();  // true: still created, checked above
        report_state(self, task_state::running);
        self->delayed_send(self, std::chrono::milliseconds{st.options.metrics_interval_ms},
                           tick_atom::value);
        resume(self);
      });
    },
    [=](data_batch& batch) {
      auto& st = self->state;
      if (st.lifecycle.ignores_messages())
        return;
      // A channel number out of range is no failure of this task: a stranger could send it.
      if (batch.channel < 0 || static_cast<std::size_t>(batch.channel) >= st.inputs.size()) {
        from_wired(self, task_actor{}, "data_batch");
        return;
      }
      auto channel = static_cast<std::size_t>(batch.channel);
      if (!from_wired(self, st.inputs[channel].sender, "data_batch"))
        return;
      st.inputs[channel].queue.emplace_back(std::move(batch.records));
      if (!st.aligner->blocked(channel))
        st.ready.push(channel);
      if (st.lifecycle.active() && !st.poll_scheduled)
        guarded(self, "processing", [&] { drain_inputs(self); });
    },
    [=](const barrier& b) {
      auto& st = self->state;
      if (st.lifecycle.ignores_messages())
        return;
      if (b.channel < 0 || static_cast<std::size_t>(b.channel) >= st.inputs.size()) {
        from_wired(self, task_actor{}, "barrier");
        return;
      }
      auto channel = static_cast<std::size_t>(b.channel);
      if (!from_wired(self, st.inputs[channel].sender, "barrier"))
        return;
      st.inputs[channel].queue.emplace_back(b);
      if (!st.aligner->blocked(channel))
        st.ready.push(channel);
      if (st.lifecycle.active() && !st.poll_scheduled)
        guarded(self, "processing", [&] { drain_inputs(self); });
    },
    [=](const credit& c) {
      auto& st = self->state;
      if (st.lifecycle.current_phase() == task_lifecycle::phase::created) {
        // A receiver may start (and grant credit) before this task got its start_task: who
        // granted it is checked once the channels are known. Bounded: a receiver grants once.
        if (c.batches > 0 && st.early_credits.size() < 4096)
          st.early_credits.push_back({c.channel, sender_of(self), c.batches});
        return;
      }
      if (st.lifecycle.ignores_messages())
        return;
      if (c.channel < 0 || static_cast<std::size_t>(c.channel) >= st.outputs.size()) {
        from_wired(self, task_actor{}, "credit");
        return;
      }
      auto& ch = st.outputs[static_cast<std::size_t>(c.channel)];
      if (!from_wired(self, ch.receiver, "credit") || c.batches <= 0)
        return;
      ch.credits += c.batches;
      send_pending(self, ch);
      guarded(self, "processing", [&] { resume(self); });
    },
    [=](poll_atom) {
      auto& st = self->state;
      if (!from_self(self, "poll"))
        return;
      st.poll_scheduled = false;
      if (st.lifecycle.ignores_messages())
        return;
      guarded(self, "processing", [&] { resume(self); });
    },
    [=](const trigger_checkpoint& msg) {
      auto& st = self->state;
      if (!from_wired(self, st.d.coordinator, "trigger_checkpoint"))
        return;
      if (!accepts(st, msg.leader_session, msg.job_id, msg.attempt)
          || st.lifecycle.ignores_messages())
        return;
      if (auto refusal = st.lifecycle.check_trigger(msg.is_final))
        return decline(self, msg.checkpoint_id, to_string(*refusal));
      take_checkpoint(self, msg.checkpoint_id, msg.timestamp_ms, msg.is_final);
    },
    [=](const notify_checkpoint_complete& msg) {
      auto& st = self->state;
      if (!from_wired(self, st.d.coordinator, "notify_checkpoint_complete"))
        return;
      if (!accepts(st, msg.leader_session, msg.job_id, msg.attempt)
          || st.lifecycle.ignores_messages())
        return;
      guarded(self, "commit", [&] { st.op->notify_checkpoint_complete(msg.checkpoint_id); });
      if (st.lifecycle.ignores_messages())
        return;  // the commit failed the task
      if (st.lifecycle.is_final_commit(msg.checkpoint_id, msg.is_final)) {
        guarded(self, "close", [&] { st.op->close(); });
        if (!st.lifecycle.finish())
          return;  // the close failed the task
        send_metrics(self);
        report_state(self, task_state::finished);
        self->quit();
      }
    },
    [=](tick_atom) {
      auto& st = self->state;
      if (!from_self(self, "tick"))
        return;
      if (st.lifecycle.ignores_messages())
        return;
      send_metrics(self);
      self->delayed_send(self, std::chrono::milliseconds{st.options.metrics_interval_ms},
                         tick_atom::value);
    },
  };
}

}  // namespace

task_actor spawn_task(caf::actor_system& sys, const std::string& leader_session,
                      const task_deployment& deployment, const task_options& options,
                      std::shared_ptr<const operator_registry> operators) {
  // An unknown operator is reported by the task itself (FAILED, "cannot start").
  auto* descriptor = (operators ? *operators : operator_registry::global()).find(deployment.op);
  if (descriptor != nullptr && descriptor->blocking)
    return sys.spawn<caf::detached>(task_behavior, leader_session, deployment, options,
                                    std::move(operators));
  return sys.spawn(task_behavior, leader_session, deployment, options, std::move(operators));
}

}  // namespace fjord
