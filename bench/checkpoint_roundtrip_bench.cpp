// Benchmark: the round trip of one checkpoint over 256 tasks versus a bare CAF fan-out/fan-in.
//
// Fjord: a job of 128 rate-limited `sequence` sources -> forward -> 128 null sinks (a sink
// registered here that drops records), checkpoint every 50 ms, in-memory store. Figure: the
// JobManager's trigger-to-stored durations (job_status_report::checkpoint_durations_us). One
// checkpoint = trigger to 128 sources, each snapshots and sends a barrier to its sink, 256
// acknowledgements with state to the coordinator, the store worker (detached actor) adds it.
//
// Bare CAF, in the same actor system and run, alternating with the job runs:
//   - fan-out/fan-in: one actor sends a message to 256 actors and waits for the 256 replies;
//   - two hops: the same actor sends to 128 "source" actors, each replies and forwards to its
//     "sink" actor, which replies too (256 replies): the shape of a barrier round, no runtime;
//   - two hops + store hop: then one request to a detached actor, as the coordinator hands the
//     completed checkpoint to its store worker (a detached actor) before it counts as stored;
//     also sampled once every 5 ms while the job runs (same scheduler, job traffic around it);
//   - bookkeeping only: pending_checkpoint with 256 acks, finalize, standalone store add, in
//     one thread without messages.
// Payloads are of the same order as a checkpoint's: an id and a few bytes of state per reply.
//
//   checkpoint_roundtrip_bench [--quick] [--runs N] [--seconds S] [--rounds N]
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/detail/pending_checkpoint.hpp"
#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "bench/bench_support.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"
#include "stores/standalone/standalone_stores.hpp"

namespace {

using namespace fjord;
using namespace fjord::bench;

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using round_atom = caf::atom_constant<caf::atom("round")>;
using store_atom = caf::atom_constant<caf::atom("store")>;

constexpr int half_tasks = 128;
constexpr int all_tasks = 2 * half_tasks;

/// Replies to a ping with 8 bytes of "state"; with a `next` actor, forwards the ping to it
/// first (the barrier going downstream), and that one replies to the same coordinator.
caf::behavior bare_task(caf::event_based_actor* self, caf::actor next) {
  return {
    [=](ping_atom, std::int64_t id, const caf::actor& coordinator) {
      if (next)
        self->send(next, ping_atom::value, id, coordinator);
      self->send(coordinator, pong_atom::value, id, std::string(8, '\0'));
    },
  };
}

struct bare_coordinator_state {
  std::vector<caf::actor> targets;
  int expected = 0;
  int received = 0;
  std::int64_t id = 0;
  clock_type::time_point began;
  caf::response_promise reply;
  caf::actor store;  ///< if set, a round ends only after one request to it
};

/// One round per `round_atom` request: pings every target, answers with the microseconds until
/// `expected` replies of this round arrived (measured here, not in the requesting thread).
caf::behavior bare_coordinator(caf::stateful_actor<bare_coordinator_state>* self,
                               std::vector<caf::actor> targets, int expected, caf::actor store) {
  self->state.targets = std::move(targets);
  self->state.expected = expected;
  self->state.store = std::move(store);
  return {
    [=](round_atom) {
      auto& st = self->state;
      st.reply = self->make_response_promise();
      st.received = 0;
      ++st.id;
      st.began = clock_type::now();
      caf::actor me = caf::actor_cast<caf::actor>(self);
      for (auto& t : st.targets)
        self->send(t, ping_atom::value, st.id, me);
    },
    [=](pong_atom, std::int64_t id, const std::string&) {
      auto& st = self->state;
      if (id != st.id)
        return;
      if (++st.received != st.expected)
        return;
      if (!st.store) {
        st.reply.deliver(micros_since(st.began));
        return;
      }
      self->request(st.store, caf::infinite, store_atom::value, id).then([=](std::int64_t) {
        self->state.reply.deliver(micros_since(self->state.began));
      });
    },
  };
}

struct bare_topology {
  std::vector<caf::actor> actors;
  caf::actor coordinator;
};

caf::behavior bare_store() {
  return {[](store_atom, std::int64_t id) { return id; }};
}

/// Fan-out: 256 leaf actors. Two hops: 128 actors each forwarding to one of 128 more; with
/// `store_hop`, the round also waits for one request to a detached actor.
bare_topology make_bare(caf::actor_system& sys, bool two_hops, bool store_hop = false) {
  bare_topology t;
  std::vector<caf::actor> targets;
  if (two_hops) {
    for (int i = 0; i < half_tasks; ++i) {
      auto sink = sys.spawn(bare_task, caf::actor{});
      auto source = sys.spawn(bare_task, sink);
      t.actors.push_back(sink);
      t.actors.push_back(source);
      targets.push_back(source);
    }
  } else {
    for (int i = 0; i < all_tasks; ++i)
      targets.push_back(sys.spawn(bare_task, caf::actor{}));
    t.actors = targets;
  }
  caf::actor store;
  if (store_hop) {
    store = sys.spawn<caf::detached>(bare_store);
    t.actors.push_back(store);
  }
  t.coordinator = sys.spawn(bare_coordinator, targets, all_tasks, store);
  return t;
}

std::vector<double> run_bare(caf::actor_system& sys, const bare_topology& t, int rounds) {
  caf::scoped_actor self{sys};
  std::vector<double> out;
  for (int i = 0; i < rounds; ++i)
    self->request(t.coordinator, caf::infinite, round_atom::value)
      .receive([&](double us) { out.push_back(us); },
               [&](caf::error& e) { throw std::runtime_error("bare round: " + describe(e)); });
  return out;
}

struct job_run {
  std::vector<double> durations_us;
  std::int64_t completed = 0;
  std::int64_t failed = 0;
};

job_run run_job(caf::actor_system& sys, double seconds) {
  constexpr int rate = 100;  // records/s per source: the data path stays nearly idle
  auto to = static_cast<std::int64_t>(half_tasks * rate * seconds);
  auto spec = fmt::format(R"({{
    "name": "checkpoint round trip",
    "vertices": [
      {{"id": "src", "operator": "sequence", "parallelism": {0},
        "params": {{"from": 1, "to": {1}, "rate_per_subtask": {2}}}}},
      {{"id": "sink", "operator": "bench_null", "parallelism": {0}}}
    ],
    "edges": [{{"from": "src", "to": "sink", "partitioning": "forward"}}],
    "checkpointing": {{"interval_ms": 50, "timeout_ms": 10000}}
  }})",
                          half_tasks, to, rate);
  // "sink" sorts before "src", so the job starts the sinks first and their credits can reach a
  // source before its own start_task (kept since 14338bf; before, this hung: BENCHMARKS.md).
  auto graph = parse_job_spec(spec, operator_registry::global());
  embedded_cluster_options options;
  options.task_managers = 2;
  options.slots_per_task_manager = half_tasks;
  embedded_cluster cluster{sys, options};
  job_client client{sys, cluster.endpoint()};
  if (auto s = client.connect(); !s)
    throw std::runtime_error("connect: " + describe(s.error()));
  auto job = client.submit(graph);
  if (!job)
    throw std::runtime_error("submit: " + describe(job.error()));
  auto report = wait_for_end(client, *job, std::chrono::seconds(60),
                             std::chrono::milliseconds(50));
  if (report.state != job_state::finished)
    throw std::runtime_error("job ended " + std::string{to_string(report.state)} + ": " +
                             report.failure);
  job_run r;
  r.completed = report.checkpoints_completed;
  r.failed = report.checkpoints_failed;
  for (auto d : report.checkpoint_durations_us)
    r.durations_us.push_back(static_cast<double>(d));
  return r;
}

/// The coordinator's and store's own work per checkpoint, without any message: 256
/// acknowledgements into a pending_checkpoint, finalize, add to the in-memory store.
std::vector<double> run_bookkeeping(int rounds) {
  standalone_completed_checkpoint_store store{2};
  std::set<subtask_key> expected;
  for (int i = 0; i < half_tasks; ++i) {
    expected.emplace("src", i);
    expected.emplace("sink", i);
  }
  std::vector<double> out;
  for (int id = 1; id <= rounds; ++id) {
    auto start = clock_type::now();
    pending_checkpoint pending{id, 0, false, expected};
    for (auto& [vertex, subtask] : expected)
      pending.acknowledge(subtask_state{vertex, subtask, std::string(8, '\0')});
    store.add(std::move(pending).finalize("0123456789abcdef0123456789abcdef", 0));
    out.push_back(micros_since(start));
  }
  return out;
}

std::string ms(double us) { return fmt::format("{:.2f}", us / 1000.0); }

int bench_main(int argc, char** argv) {
  arguments args{argc, argv};
  bool quick = args.flag("--quick");
  int runs = static_cast<int>(args.integer("--runs", quick ? 1 : 3));
  double seconds = static_cast<double>(args.integer("--seconds", quick ? 2 : 4));
  int rounds = static_cast<int>(args.integer("--rounds", quick ? 200 : 500));
  args.expect_done();
  if (runs < 1 || seconds < 1 || rounds < 1)
    throw std::invalid_argument("--runs, --seconds and --rounds must be >= 1");
  spdlog::set_level(spdlog::level::warn);
  register_null_sink();

  runtime_config cfg;
  caf::actor_system sys{cfg};
  auto fan = make_bare(sys, false);
  auto hops = make_bare(sys, true);
  auto stored = make_bare(sys, true, true);
  // Warm-up: first messages allocate mailboxes and scheduler queues.
  run_bare(sys, fan, 20);
  run_bare(sys, hops, 20);
  run_bare(sys, stored, 20);

  std::vector<double> fjord_us, fan_us, hops_us, stored_us, during_us;
  std::int64_t completed = 0, failed = 0;
  // Alternate bare blocks and job runs so that drift of the machine affects both alike.
  int block = rounds / (runs + 1) + 1;
  for (int i = 0; i <= runs; ++i) {
    auto f = run_bare(sys, fan, block);
    fan_us.insert(fan_us.end(), f.begin(), f.end());
    auto h = run_bare(sys, hops, block);
    hops_us.insert(hops_us.end(), h.begin(), h.end());
    auto st = run_bare(sys, stored, block);
    stored_us.insert(stored_us.end(), st.begin(), st.end());
    if (i == runs)
      break;
    // Meanwhile one bare round (two hops + store hop) every 5 ms: what the job's own traffic
    // (source polls, metrics, reports) does to plain messaging.
    std::atomic<bool> job_done{false};
    std::thread prober{[&] {
      while (!job_done) {
        auto one = run_bare(sys, stored, 1);
        during_us.push_back(one.front());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }};
    job_run r;
    try {
      r = run_job(sys, seconds);
    } catch (...) {
      job_done = true;
      prober.join();
      throw;
    }
    job_done = true;
    prober.join();
    // The first checkpoints overlap deployment warm-up; the final one waits for the end of
    // input. Neither is the steady-state round trip.
    if (r.durations_us.size() > 3)
      fjord_us.insert(fjord_us.end(), r.durations_us.begin() + 2, r.durations_us.end() - 1);
    completed += r.completed;
    failed += r.failed;
  }
  auto bookkeeping_us = run_bookkeeping(rounds);
  for (auto& t : {fan, hops, stored}) {
    for (auto& a : t.actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(t.coordinator, caf::exit_reason::user_shutdown);
  }

  auto p50 = [](const std::vector<double>& v) { return median(v); };
  auto p99 = [](const std::vector<double>& v) { return percentile(v, 0.99); };
  std::printf("### Checkpoint round trip, 256 tasks (128 sources -> forward -> 128 sinks)\n\n");
  std::printf("%d job run(s) of ~%.0f s, checkpoint every 50 ms: %lld checkpoints completed, "
              "%lld failed; %zu bare rounds of each kind.\n\n",
              runs, seconds, static_cast<long long>(completed), static_cast<long long>(failed),
              fan_us.size());
  print_table({"what", "samples", "median ms", "p99 ms", "median ratio", "p99 ratio"},
              {
                {"Fjord checkpoint (trigger -> stored)", std::to_string(fjord_us.size()),
                 ms(p50(fjord_us)), ms(p99(fjord_us)),
                 fmt::format("{:.1f}x", p50(fjord_us) / p50(fan_us)),
                 fmt::format("{:.1f}x", p99(fjord_us) / p99(fan_us))},
                {"bare CAF fan-out/fan-in to 256", std::to_string(fan_us.size()),
                 ms(p50(fan_us)), ms(p99(fan_us)), "1.0x", "1.0x"},
                {"bare CAF 128 -> 128 two hops, 256 replies", std::to_string(hops_us.size()),
                 ms(p50(hops_us)), ms(p99(hops_us)),
                 fmt::format("{:.1f}x", p50(hops_us) / p50(fan_us)),
                 fmt::format("{:.1f}x", p99(hops_us) / p99(fan_us))},
                {"bare CAF two hops + detached store hop", std::to_string(stored_us.size()),
                 ms(p50(stored_us)), ms(p99(stored_us)),
                 fmt::format("{:.1f}x", p50(stored_us) / p50(fan_us)),
                 fmt::format("{:.1f}x", p99(stored_us) / p99(fan_us))},
                {"same, 1 round / 5 ms while the job runs", std::to_string(during_us.size()),
                 ms(p50(during_us)), ms(p99(during_us)),
                 fmt::format("{:.1f}x", p50(during_us) / p50(fan_us)),
                 fmt::format("{:.1f}x", p99(during_us) / p99(fan_us))},
                {"bookkeeping only: 256 acks + finalize + store add, no messages",
                 std::to_string(bookkeeping_us.size()), ms(p50(bookkeeping_us)),
                 ms(p99(bookkeeping_us)),
                 fmt::format("{:.1f}x", p50(bookkeeping_us) / p50(fan_us)),
                 fmt::format("{:.1f}x", p99(bookkeeping_us) / p99(fan_us))},
              });
  double ratio = p50(fjord_us) / p50(fan_us);
  std::printf("\nGoal: Fjord / bare fan-out <= 3x (median): %s (%.1fx)\n\n",
              ratio <= 3.0 ? "met" : "NOT met", ratio);
  return fjord_us.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("checkpoint_roundtrip_bench",
                                    [&] { return bench_main(argc, argv); });
}
