// Benchmark: records/s of the example pipeline (sequence 4 -> hash -> keyed_sum 4 (16 keys)
// -> rebalance -> transactional_file 2, into a temporary directory), three ways, in one run:
//   - Fjord with a checkpoint every 100 ms;
//   - Fjord with checkpointing off (interval 0: only the final checkpoint);
//   - a bare CAF pipeline of the same shape written here: 4 source actors -> hash by key -> 4
//     sum actors -> round robin per record -> 2 writer actors appending lines to a file each
//     (fsynced once at the end, as the Fjord sink does for its final checkpoint), in batches of
//     512 records with the same credit scheme as Fjord's channels (4 batches in flight per
//     channel, a sender stops producing once 2 full batches wait for credit; a sum actor
//     withholds the acknowledgement of an input batch while its outputs are full).
// Repetitions rotate the order of the three so that drift of the machine affects all alike.
// Time: Fjord from the job actor's start to its end (job_status_report started_ms/ended_ms,
// deployment included); bare from spawning the actors to both writers having synced.
//
//   pipeline_throughput_bench [--quick] [--records N] [--reps N]   (default 5,000,000 x 7)
#include <unistd.h>

#include <array>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/embedded_cluster.hpp"
#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "bench/bench_support.hpp"
#include "fjord/record.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"

namespace {

using namespace fjord;
using namespace fjord::bench;

// --- Fjord -----------------------------------------------------------------------------------

struct fjord_result {
  double seconds = 0;
  std::int64_t checkpoints = 0;
};

fjord_result run_fjord(caf::actor_system& sys, const job_manager_endpoint_actor& job_manager,
                       std::int64_t records, int interval_ms) {
  temp_dir out{"fjord-bench-pipeline"};
  auto spec = fmt::format(R"({{
    "name": "pipeline throughput",
    "vertices": [
      {{"id": "numbers", "operator": "sequence", "parallelism": 4,
        "params": {{"from": 1, "to": {0}}}}},
      {{"id": "sums", "operator": "keyed_sum", "parallelism": 4, "params": {{"keys": 16}}}},
      {{"id": "out", "operator": "transactional_file", "parallelism": 2,
        "params": {{"output_dir": "{1}"}}}}
    ],
    "edges": [
      {{"from": "numbers", "to": "sums", "partitioning": "hash"}},
      {{"from": "sums", "to": "out", "partitioning": "rebalance"}}
    ],
    "checkpointing": {{"interval_ms": {2}}}
  }})",
                          records, out.str(), interval_ms);
  auto graph = parse_job_spec(spec, operator_registry::global());
  job_client client{sys, job_manager};
  if (auto s = client.connect(); !s)
    throw std::runtime_error("connect: " + describe(s.error()));
  auto job = client.submit(graph);
  if (!job)
    throw std::runtime_error("submit: " + describe(job.error()));
  auto report = wait_for_end(client, *job, std::chrono::seconds(60));
  if (report.state != job_state::finished)
    throw std::runtime_error("job ended " + std::string{to_string(report.state)} + ": " +
                             report.failure);
  if (report.records_out != records)
    throw std::runtime_error(fmt::format("sinks received {} records, expected {}",
                                         report.records_out, records));
  return {(report.ended_ms - report.started_ms) / 1000.0, report.checkpoints_completed};
}

// --- Bare CAF pipeline -----------------------------------------------------------------------

using produce_atom = caf::atom_constant<caf::atom("produce")>;
using batch_atom = caf::atom_constant<caf::atom("batch")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using eos_atom = caf::atom_constant<caf::atom("eos")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using wire_atom = caf::atom_constant<caf::atom("wire")>;

constexpr std::size_t batch_size = 512;
constexpr int initial_credits = 4;
constexpr std::size_t max_pending = 2;
constexpr std::int64_t keys = 16;
constexpr int sources = 4;
constexpr int sums = 4;
constexpr int writers = 2;

/// One outgoing channel with credits, as in Fjord's tasks.
struct channel {
  caf::actor receiver;
  std::int32_t sender_index = 0;  ///< how the receiver names us in its acks
  std::vector<record> building;
  std::deque<std::vector<record>> pending;
  int credits = initial_credits;
  bool eos_sent = false;

  void push(record r) {
    building.push_back(std::move(r));
    if (building.size() >= batch_size) {
      pending.emplace_back(std::move(building));
      building = {};
      building.reserve(batch_size);
    }
  }
  void send_what_credits_allow(caf::event_based_actor* self) {
    while (!pending.empty() && credits > 0) {
      --credits;
      self->send(receiver, batch_atom::value, sender_index, std::move(pending.front()));
      pending.pop_front();
    }
  }
  /// After the input ended: flushes the rest, and sends eos once everything went out.
  void finish(caf::event_based_actor* self) {
    if (!building.empty()) {
      pending.emplace_back(std::move(building));
      building = {};
    }
    send_what_credits_allow(self);
    if (pending.empty() && !eos_sent) {
      eos_sent = true;
      self->send(receiver, eos_atom::value, sender_index);
    }
  }
};

bool has_room(const std::vector<channel>& outs) {
  for (auto& c : outs)
    if (c.pending.size() >= max_pending)
      return false;
  return true;
}

struct source_state {
  std::int64_t next = 0;
  std::int64_t end = 0;  ///< exclusive
  std::vector<channel> outs;
  bool scheduled = false;
};

caf::behavior bare_source(caf::stateful_actor<source_state>* self, std::int64_t first,
                          std::int64_t count) {
  self->state.next = first;
  self->state.end = first + count;
  auto produce = [self] {
    auto& st = self->state;
    st.scheduled = false;
    if (!has_room(st.outs))
      return;
    // One turn emits up to two batches' worth, like a Fjord source poll.
    auto stop = std::min(st.end, st.next + static_cast<std::int64_t>(2 * batch_size));
    for (; st.next < stop; ++st.next)
      st.outs[static_cast<std::size_t>(st.next % keys) % st.outs.size()].push(
        record::of(st.next));
    for (auto& c : st.outs)
      c.send_what_credits_allow(self);
    if (st.next == st.end) {
      for (auto& c : st.outs)
        c.finish(self);
    } else if (!st.scheduled) {
      st.scheduled = true;
      self->send(self, produce_atom::value);
    }
  };
  return {
    [=](wire_atom, std::int32_t my_index, const std::vector<caf::actor>& downstream) {
      for (auto& d : downstream) {
        channel c;
        c.receiver = d;
        c.sender_index = my_index;
        c.building.reserve(batch_size);
        self->state.outs.push_back(std::move(c));
      }
      produce();
    },
    [=](produce_atom) { produce(); },
    [=](ack_atom, std::int32_t channel_index) {
      auto& st = self->state;
      auto& c = st.outs[static_cast<std::size_t>(channel_index)];
      ++c.credits;
      if (st.next == st.end) {
        c.finish(self);
        return;
      }
      c.send_what_credits_allow(self);
      if (!st.scheduled && has_room(st.outs)) {
        st.scheduled = true;
        self->send(self, produce_atom::value);
      }
    },
  };
}

struct sum_state {
  std::array<std::int64_t, keys> sums{};
  std::vector<channel> outs;
  std::vector<caf::actor> inputs;
  std::vector<std::int32_t> held_acks;  ///< inputs processed while the outputs were full
  std::size_t next_out = 0;
  int ended_inputs = 0;
  std::int32_t my_index = 0;
};

caf::behavior bare_sum(caf::stateful_actor<sum_state>* self) {
  auto release_acks = [self] {
    auto& st = self->state;
    if (!has_room(st.outs))
      return;
    for (auto i : st.held_acks)
      self->send(st.inputs[static_cast<std::size_t>(i)], ack_atom::value, st.my_index);
    st.held_acks.clear();
  };
  return {
    [=](wire_atom, std::int32_t my_index, const std::vector<caf::actor>& inputs,
        const std::vector<caf::actor>& downstream) {
      auto& st = self->state;
      st.my_index = my_index;
      st.inputs = inputs;
      for (auto& d : downstream) {
        channel c;
        c.receiver = d;
        c.sender_index = my_index;
        c.building.reserve(batch_size);
        st.outs.push_back(std::move(c));
      }
    },
    [=](batch_atom, std::int32_t from, const std::vector<record>& batch) {
      auto& st = self->state;
      for (auto& r : batch) {
        auto key = r.number % keys;
        auto sum = st.sums[static_cast<std::size_t>(key)] += r.number;
        st.outs[st.next_out].push(record::of(std::to_string(key) + ' ' +
                                             std::to_string(r.number) + ' ' +
                                             std::to_string(sum)));
        st.next_out = (st.next_out + 1) % st.outs.size();
      }
      for (auto& c : st.outs)
        c.send_what_credits_allow(self);
      st.held_acks.push_back(from);
      release_acks();
    },
    [=](ack_atom, std::int32_t channel_index) {
      auto& st = self->state;
      auto& c = st.outs[static_cast<std::size_t>(channel_index)];
      ++c.credits;
      if (st.ended_inputs == static_cast<int>(st.inputs.size()))
        c.finish(self);
      else
        c.send_what_credits_allow(self);
      release_acks();
    },
    [=](eos_atom, std::int32_t) {
      auto& st = self->state;
      if (++st.ended_inputs == static_cast<int>(st.inputs.size()))
        for (auto& c : st.outs)
          c.finish(self);
    },
  };
}

struct writer_state {
  FILE* file = nullptr;
  std::string buffer;
  std::vector<caf::actor> inputs;
  int ended_inputs = 0;
  std::int64_t lines = 0;
  caf::actor driver;
  std::int32_t my_index = 0;
};

caf::behavior bare_writer(caf::stateful_actor<writer_state>* self, std::string path,
                          caf::actor driver) {
  self->state.file = std::fopen(path.c_str(), "w");
  if (self->state.file == nullptr)
    throw std::runtime_error("cannot create " + path);
  self->state.driver = std::move(driver);
  return {
    [=](wire_atom, std::int32_t my_index, const std::vector<caf::actor>& inputs) {
      self->state.my_index = my_index;
      self->state.inputs = inputs;
    },
    [=](batch_atom, std::int32_t from, const std::vector<record>& batch) {
      auto& st = self->state;
      st.buffer.clear();
      for (auto& r : batch) {
        st.buffer += r.to_line();
        st.buffer += '\n';
      }
      std::fwrite(st.buffer.data(), 1, st.buffer.size(), st.file);
      st.lines += static_cast<std::int64_t>(batch.size());
      self->send(st.inputs[static_cast<std::size_t>(from)], ack_atom::value, st.my_index);
    },
    [=](eos_atom, std::int32_t) {
      auto& st = self->state;
      if (++st.ended_inputs < static_cast<int>(st.inputs.size()))
        return;
      std::fflush(st.file);
      ::fsync(::fileno(st.file));
      std::fclose(st.file);
      st.file = nullptr;
      self->send(st.driver, done_atom::value, st.lines);
      self->quit();
    },
  };
}

double run_bare(caf::actor_system& sys, std::int64_t records) {
  temp_dir out{"fjord-bench-bare"};
  caf::scoped_actor driver{sys};
  auto start = clock_type::now();
  std::vector<caf::actor> writer_actors, sum_actors, source_actors;
  for (int w = 0; w < writers; ++w)
    writer_actors.push_back(sys.spawn(bare_writer, (out.path() / ("part-" + std::to_string(w)))
                                                     .string(),
                                      caf::actor{driver}));
  for (int s = 0; s < sums; ++s)
    sum_actors.push_back(sys.spawn(bare_sum));
  for (int s = 0; s < sources; ++s) {
    // The same split as the sequence source: contiguous ranges of 1..records.
    auto first = 1 + records * s / sources;
    auto count = records * (s + 1) / sources - records * s / sources;
    source_actors.push_back(sys.spawn(bare_source, first, count));
  }
  for (int w = 0; w < writers; ++w)
    driver->send(writer_actors[w], wire_atom::value, std::int32_t{w}, sum_actors);
  for (int s = 0; s < sums; ++s)
    driver->send(sum_actors[s], wire_atom::value, std::int32_t{s}, source_actors,
                 writer_actors);
  for (int s = 0; s < sources; ++s)
    driver->send(source_actors[s], wire_atom::value, std::int32_t{s}, sum_actors);
  std::int64_t lines = 0;
  for (int w = 0; w < writers; ++w)
    driver->receive([&](done_atom, std::int64_t n) { lines += n; },
                    caf::after(std::chrono::minutes(10)) >>
                      [&] { throw std::runtime_error("bare pipeline did not finish"); });
  auto seconds = micros_since(start) / 1e6;
  for (auto& a : sum_actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (auto& a : source_actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  if (lines != records)
    throw std::runtime_error(fmt::format("bare pipeline wrote {} lines, expected {}", lines,
                                         records));
  return seconds;
}

// --- Main ------------------------------------------------------------------------------------

std::string rate(double per_s) { return thousands(static_cast<std::int64_t>(per_s)); }

int bench_main(int argc, char** argv) {
  arguments args{argc, argv};
  bool quick = args.flag("--quick");
  auto records = args.integer("--records", quick ? 1'000'000 : 5'000'000);
  int reps = static_cast<int>(args.integer("--reps", quick ? 2 : 7));
  args.expect_done();
  if (records < 1 || reps < 1)
    throw std::invalid_argument("--records and --reps must be >= 1");
  spdlog::set_level(spdlog::level::warn);

  runtime_config cfg;
  caf::actor_system sys{cfg};
  embedded_cluster_options options;
  options.task_managers = 2;
  options.slots_per_task_manager = 2;
  embedded_cluster cluster{sys, options};

  std::vector<double> cp_rate, off_rate, bare_rate;
  std::int64_t cp_checkpoints = 0;
  for (int rep = 0; rep < reps; ++rep) {
    for (int k = 0; k < 3; ++k) {
      switch ((rep + k) % 3) {
        case 0: {
          auto r = run_fjord(sys, cluster.endpoint(), records, 100);
          cp_rate.push_back(static_cast<double>(records) / r.seconds);
          cp_checkpoints += r.checkpoints;
          break;
        }
        case 1: {
          auto r = run_fjord(sys, cluster.endpoint(), records, 0);
          off_rate.push_back(static_cast<double>(records) / r.seconds);
          break;
        }
        default:
          bare_rate.push_back(static_cast<double>(records) / run_bare(sys, records));
      }
    }
  }

  auto spread = [](const std::vector<double>& v) {
    return rate(*std::min_element(v.begin(), v.end())) + " .. " +
           rate(*std::max_element(v.begin(), v.end()));
  };
  auto cp = median(cp_rate), off = median(off_rate), bare = median(bare_rate);
  std::printf("### Pipeline throughput, %s records (sequence 4 -> hash -> keyed_sum 4 -> "
              "rebalance -> transactional_file 2)\n\n",
              thousands(records).c_str());
  std::printf("%d repetition(s) of each, order rotated; median records/s (min .. max). "
              "Checkpoints completed with 100 ms: %.1f per run on average.\n\n",
              reps, static_cast<double>(cp_checkpoints) / reps);
  print_table({"variant", "records/s (median)", "min .. max", "vs checkpointing off",
               "vs bare CAF"},
              {
                {"Fjord, checkpoint every 100 ms", rate(cp), spread(cp_rate),
                 fmt::format("{:.2f}x", cp / off), fmt::format("{:.2f}x", cp / bare)},
                {"Fjord, checkpointing off (final only)", rate(off), spread(off_rate), "1.00x",
                 fmt::format("{:.2f}x", off / bare)},
                {"bare CAF pipeline, same shape, credits", rate(bare), spread(bare_rate),
                 fmt::format("{:.2f}x", bare / off), "1.00x"},
              });
  // The three runs of one repetition are adjacent in time: their ratios drift least.
  std::vector<double> cp_off, off_bare;
  for (std::size_t i = 0; i < cp_rate.size(); ++i) {
    cp_off.push_back(cp_rate[i] / off_rate[i]);
    off_bare.push_back(off_rate[i] / bare_rate[i]);
  }
  std::printf("\nMedian of the per-repetition ratios: checkpoints every 100 ms / off %.2fx, "
              "off / bare CAF %.2fx.\n",
              median(cp_off), median(off_bare));
  std::printf("\nGoal: checkpoints every 100 ms / off >= 0.9x: %s (%.2fx)\n\n",
              cp / off >= 0.9 ? "met" : "NOT met", cp / off);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fjord::bench::guarded_main("pipeline_throughput_bench",
                                    [&] { return bench_main(argc, argv); });
}
