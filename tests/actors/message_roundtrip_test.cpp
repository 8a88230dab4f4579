// Every message type that may cross processes goes through a real middleman connection (two
// actor systems in this process, connected over loopback) and comes back unchanged. A type that
// is not registered fails only here, at run time, never at compile time.
#include <doctest/doctest.h>

#include <caf/actor_system.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/runtime_config.hpp"
#include "messages/checkpoint_messages.hpp"
#include "messages/client_messages.hpp"
#include "messages/data_messages.hpp"
#include "messages/task_messages.hpp"

using namespace fjord;
using namespace std::chrono_literals;

namespace {

/// Replies to every message with the message itself.
caf::behavior echo(caf::event_based_actor* self) {
  self->set_default_handler(caf::reflect);
  return {[](std::int32_t x) { return x; }};
}

job_graph sample_graph() {
  job_graph g;
  g.job_id = "0123456789abcdef0123456789abcdef";
  g.name = "round trip";
  g.vertices = {{"numbers", "sequence", 4, R"({"from":1,"to":9})"},
                {"out", "transactional_file", 2, R"({"output_dir":"x"})"}};
  g.edges = {{"numbers", "out", partitioning::rebalance}};
  g.checkpoints.interval_ms = 100;
  g.restart.kind = restart_strategy_kind::exponential_delay;
  return g;
}

struct middleman_fixture {
  runtime_config server_cfg{true};
  caf::actor_system server{server_cfg};
  runtime_config client_cfg{true};
  caf::actor_system client{client_cfg};
  caf::actor server_echo;
  caf::actor remote_echo;
  caf::actor local_actor;  ///< a handle of the client side, carried inside messages

  /// local_actor as a typed handle (messages carry typed handles).
  template <class Handle>
  Handle local_as() const {
    return caf::actor_cast<Handle>(local_actor);
  }

  middleman_fixture() {
    server_echo = server.spawn(echo);
    auto port = server.middleman().publish(server_echo, 0, "127.0.0.1", true);
    REQUIRE(port);
    auto remote = client.middleman().remote_actor("127.0.0.1", *port);
    REQUIRE(remote);
    remote_echo = *remote;
    local_actor = client.spawn(echo);
  }

  ~middleman_fixture() {
    caf::anon_send_exit(local_actor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(server_echo, caf::exit_reason::user_shutdown);
  }

  /// Sends `x` to the remote echo and returns what came back, printed.
  template <class T>
  std::string roundtrip(const T& x) {
    caf::scoped_actor self{client};
    std::string result = "<no reply>";
    self->request(remote_echo, 5s, x)
      .receive([&](T& y) { result = caf::deep_to_string(y); },
               [&](caf::error& err) { result = "error: " + client.render(err); });
    return result;
  }

  template <class T>
  void check(const T& x) {
    auto expected = caf::deep_to_string(x);
    CHECK(roundtrip(x) == expected);
  }

  /// A data_batch sent to the remote echo comes back equal, field by field.
  void check_batch(const data_batch& x) {
    caf::scoped_actor self{client};
    bool replied = false;
    self->request(remote_echo, 5s, x)
      .receive(
        [&](data_batch& y) {
          replied = true;
          CHECK(y.channel == x.channel);
          CHECK(y.records.size() == x.records.size());
          CHECK(y.records == x.records);
        },
        [&](caf::error& err) { FAIL("error: " << client.render(err)); });
    CHECK(replied);
  }
};

/// CAF's binary serializer as the middleman uses it, without the network.
std::vector<char> serialize(caf::actor_system& sys, data_batch x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE(!sink(x));
  return buf;
}

caf::error deserialize(caf::actor_system& sys, const std::vector<char>& buf, data_batch& x) {
  caf::binary_deserializer source{sys, buf};
  return source(x);
}

}  // namespace

TEST_CASE_FIXTURE(middleman_fixture, "every client message survives the middleman") {
  check(submit_job{"s", sample_graph()});
  check(job_submitted{"0123456789abcdef0123456789abcdef"});
  check(cancel_job{"s", "j"});
  check(request_job_status{"s", "j"});
  check(list_jobs{"s"});
  check(inject_task_failure{"s", "j", 42});
  job_status_report r;
  r.job_id = "j";
  r.name = "n";
  r.state = job_state::restarting;
  r.attempt = 3;
  r.records_in = 1234567890123;
  r.failure = "task x killed";
  r.checkpoint_durations_us = {1, 2, 3};
  check(r);
  check(std::vector<job_status_report>{r, r});
}

TEST_CASE_FIXTURE(middleman_fixture, "every task manager message survives the middleman") {
  check(register_task_manager{"s", "tm-1", local_as<task_manager_actor>(), 4});
  check(local_as<task_actor>());  // the reply to deploy_task
  check(task_manager_registered{"s", 2});
  task_deployment d;
  d.job_id = "j";
  d.attempt = 2;
  d.vertex = "sums";
  d.op = "keyed_sum";
  d.params_json = R"({"keys":16})";
  d.subtask = 1;
  d.parallelism = 4;
  d.num_input_channels = 4;
  d.has_state = true;
  d.state = std::string("\0\1\2bytes", 8);
  d.restored_checkpoint_id = 17;
  d.job = local_as<task_report_actor>();
  d.coordinator = local_as<checkpoint_ack_actor>();
  check(d);
  check(deploy_task{"s", d});
  output_gate g{partitioning::hash, "sums", "keyed_sum", "{}", {{local_as<task_actor>(), 3}}};
  check(start_task{"s", "j", 2, {g}, {{local_as<task_actor>(), 1}}});
  check(cancel_tasks{"s", "j", 2});
  check(task_state_changed{"s", "j", 2, "sums", 1, task_state::failed, "boom"});
  check(task_metrics{"s", "j", 2, "numbers", 0, 10, 20, true});
}

TEST_CASE_FIXTURE(middleman_fixture, "every checkpoint and data message survives the middleman") {
  check(trigger_checkpoint{"s", "j", 2, 9, 1000, true});
  acknowledge_checkpoint ack;
  ack.leader_session = "s";
  ack.job_id = "j";
  ack.attempt = 2;
  ack.checkpoint_id = 9;
  ack.state = {"out", 1, std::string("\0staged", 7)};
  check(ack);
  check(decline_checkpoint{"s", "j", 2, 9, "out", 1, "not ready"});
  check(notify_checkpoint_complete{"s", "j", 2, 9, false});
  check(data_batch{3, {record::of(42), record::of("text"), record::of("word", 7)}});
  check(barrier{1, 9, 1000, true});
  check(credit{2, 4});
  completed_checkpoint c;
  c.job_id = "j";
  c.checkpoint_id = 9;
  c.states = {{"out", 0, "x"}};
  check(c);
}

TEST_CASE_FIXTURE(middleman_fixture, "a data batch of every record kind survives the middleman "
                                     "exactly") {
  check_batch(data_batch{3, {record::of(42), record::of(-7), record::of(0), record::of("text"),
                             record::of(std::string()), record::of("word", 7),
                             record::of(std::string("\0\1bytes", 7), INT64_MIN),
                             record{record_kind::number, 5, "kind leaves the text unused"}}});
  check_batch(data_batch{0, {}});
  check_batch(data_batch{1, {record::of(std::string(100000, 'L'), 1), record::of(2)}});
  std::vector<record> full;
  for (int i = 0; i < 512; ++i)
    full.push_back(i % 3 == 0   ? record::of(i)
                   : i % 3 == 1 ? record::of("t" + std::to_string(i))
                                : record::of("w" + std::to_string(i), i));
  check_batch(data_batch{2, full});
  // Printing (deep_to_string) still shows the records, not the wire form.
  CHECK(caf::deep_to_string(data_batch{1, {record::of(42)}}).find("42") != std::string::npos);
}

TEST_CASE_FIXTURE(middleman_fixture, "a truncated or corrupt data batch is refused with an error") {
  data_batch in{5, {record::of(std::string("abc"), 9), record::of(11)}};
  auto bytes = serialize(client, in);
  data_batch out;
  REQUIRE(!deserialize(client, bytes, out));
  REQUIRE(out.records == in.records);

  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::vector<char> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    data_batch y;
    INFO("cut to " << n << " of " << bytes.size() << " bytes");
    CHECK(deserialize(client, cut, y));
  }

  // channel (4 bytes) | blob size (1 byte varint) | blob: count (4) | header of record 1
  auto corrupt = bytes;
  corrupt[4 + 1 + 4] = static_cast<char>(0xff);
  data_batch y;
  auto err = deserialize(client, corrupt, y);
  REQUIRE(err);
  CHECK(err == caf::sec::invalid_argument);
  CHECK(client.render(err).find("corrupt header") != std::string::npos);
}
