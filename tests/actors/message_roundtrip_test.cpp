// Every message type that may cross processes goes through a real middleman connection (two
// actor systems in this process, connected over loopback) and comes back equal to what was sent,
// compared with operator== (written field by field next to each inspect). Every sample sets
// every field to a value other than its default, so a field that inspect leaves out comes back
// default and fails the comparison. A type that is not registered fails only here, at run time,
// never at compile time; and the types this test sends are exactly the types runtime_config
// registers.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <typeindex>

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

/// Every field differs from its default.
job_graph sample_graph() {
  job_graph g;
  g.job_id = "0123456789abcdef0123456789abcdef";
  g.name = "round trip";
  g.vertices = {{"numbers", "sequence", 4, R"({"from":1,"to":9})"},
                {"out", "transactional_file", 2, R"({"output_dir":"x"})"}};
  g.edges = {{"numbers", "out", partitioning::rebalance}};
  g.checkpoints.interval_ms = 100;
  g.checkpoints.timeout_ms = 7000;
  g.checkpoints.max_concurrent = 3;
  g.checkpoints.min_pause_ms = 15;
  g.checkpoints.num_retained = 4;
  g.restart.kind = restart_strategy_kind::exponential_delay;
  g.restart.max_attempts = 7;
  g.restart.delay_ms = 30;
  g.restart.max_delay_ms = 900;
  g.plugins.push_back({"libops.so", std::string(64, 'a'), std::string("\0\x7f" "ELF", 5)});
  g.restart.multiplier = 1.5;
  return g;
}

/// Every field differs from its default.
job_status_report sample_report() {
  job_status_report r;
  r.job_id = "j";
  r.name = "n";
  r.state = job_state::restarting;
  r.attempt = 3;
  r.restarts = 2;
  r.checkpoints_completed = 11;
  r.checkpoints_failed = 1;
  r.latest_checkpoint_id = 12;
  r.restored_checkpoint_id = 10;
  r.records_in = 1234567890123;
  r.records_out = 1234567890000;
  r.tasks_running = 5;
  r.tasks_total = 7;
  r.failure = "task x killed";
  r.started_ms = 1700000000000;
  r.ended_ms = 1700000001000;
  r.checkpoint_durations_us = {1, 2, 3};
  return r;
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

  /// The types check() sent.
  std::set<std::type_index> covered;

  /// Sends `x` to the remote echo; what comes back must equal it.
  template <class T>
  void check(const T& x) {
    covered.insert(std::type_index(typeid(T)));
    caf::scoped_actor self{client};
    bool replied = false;
    self->request(remote_echo, 5s, x)
      .receive(
        [&](T& y) {
          replied = true;
          INFO("sent:     " << caf::deep_to_string(x));
          INFO("received: " << caf::deep_to_string(y));
          CHECK(y == x);
        },
        [&](caf::error& err) { FAIL("error: " << client.render(err)); });
    CHECK(replied);
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


void check_client_messages(middleman_fixture& f) {
  f.check(submit_job{"s", sample_graph()});
  f.check(job_submitted{"0123456789abcdef0123456789abcdef"});
  f.check(cancel_job{"s", "j"});
  f.check(request_job_status{"s", "j"});
  f.check(list_jobs{"s"});
  f.check(inject_task_failure{"s", "j", 42});
  f.check(sample_report());
  f.check(std::vector<job_status_report>{sample_report(), job_status_report{}});
  auto g = sample_graph();
  f.check(g);
  f.check(g.vertices.front());
  f.check(g.edges.front());
  f.check(g.checkpoints);
  f.check(g.restart);
  f.check(g.plugins.front());
  f.check(partitioning::hash);
  f.check(restart_strategy_kind::exponential_delay);
  f.check(job_state::suspended);
}

void check_task_manager_messages(middleman_fixture& f) {
  f.check(register_task_manager{"s", "tm-1", f.local_as<task_manager_actor>(), 4, "198.18.0.3",
                                4711});
  f.check(connect_peers{"s", {data_endpoint{f.local_as<task_manager_actor>(), "tm-1",
                                            "198.18.0.3", 4711},
                              data_endpoint{f.local_as<task_manager_actor>(), "tm-2",
                                            "198.18.0.4", 4712}}});
  f.check(f.local_as<task_actor>());  // the reply to deploy_task
  f.check(task_manager_registered{"s", 2});
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
  d.job = f.local_as<task_report_actor>();
  d.coordinator = f.local_as<checkpoint_ack_actor>();
  d.plugins = {std::string(64, 'b')};
  f.check(d);
  f.check(deploy_task{"s", d});
  f.check(fetch_plugin{"s", "j", std::string(64, 'b')});
  output_gate g{partitioning::hash, "sums", "keyed_sum", R"({"keys":16})",
                {{f.local_as<task_actor>(), 3}}};
  f.check(g);
  f.check(output_channel{f.local_as<task_actor>(), 3});
  f.check(input_channel{f.local_as<task_actor>(), 1});
  f.check(start_task{"s", "j", 2, {g}, {{f.local_as<task_actor>(), 1}}});
  f.check(cancel_tasks{"s", "j", 2});
  f.check(task_state_changed{"s", "j", 2, "sums", 1, task_state::failed, "boom"});
  f.check(task_state::finished);
  f.check(task_metrics{"s", "j", 2, "numbers", 3, 10, 20});
  f.check(end_of_input{"s", "j", 2, "numbers", 3});
}

void check_checkpoint_and_data_messages(middleman_fixture& f) {
  f.check(trigger_checkpoint{"s", "j", 2, 9, 1000, true});
  acknowledge_checkpoint ack;
  ack.leader_session = "s";
  ack.job_id = "j";
  ack.attempt = 2;
  ack.checkpoint_id = 9;
  ack.state = {"out", 1, std::string("\0staged", 7)};
  f.check(ack);
  f.check(decline_checkpoint{"s", "j", 2, 9, "out", 1, "not ready"});
  f.check(notify_checkpoint_complete{"s", "j", 2, 9, true});
  f.check(data_batch{3, {record::of(42), record::of("text"), record::of("word", 7)}});
  f.check(record::of("word", 7));
  f.check(record_kind::text_number);
  f.check(barrier{1, 9, 1000, true});
  f.check(credit{2, 4});
  completed_checkpoint c;
  c.job_id = "j";
  c.checkpoint_id = 9;
  c.timestamp_ms = 1700000000000;
  c.completed_ms = 1700000000005;
  c.is_final = true;
  c.states = {{"out", 0, "x"}, {"numbers", 2, "y"}};
  f.check(c);
  f.check(c.states.front());
}

}  // namespace

TEST_CASE_FIXTURE(middleman_fixture, "every client message survives the middleman") {
  check_client_messages(*this);
}

TEST_CASE_FIXTURE(middleman_fixture, "every task manager message survives the middleman") {
  check_task_manager_messages(*this);
}

TEST_CASE_FIXTURE(middleman_fixture, "every checkpoint and data message survives the middleman") {
  check_checkpoint_and_data_messages(*this);
}

TEST_CASE_FIXTURE(middleman_fixture,
                  "the round-trip test sends every type runtime_config registers, and no other") {
  check_client_messages(*this);
  check_task_manager_messages(*this);
  check_checkpoint_and_data_messages(*this);
  // Every type runtime_config added by name ("fjord.*"; CAF adds std::vector<...> and
  // stream<...> of each by itself), as the type its factory makes.
  std::set<std::type_index> registered;
  std::map<std::type_index, std::string> names;
  for (auto& [name, make] : client_cfg.value_factories_by_name)
    if (name.rfind("fjord.", 0) == 0) {
      std::type_index type{*make()->type().second};
      registered.insert(type);
      names.emplace(type, name);
    }
  CHECK(registered.size() > 30);
  auto name_of = [&](std::type_index t) {
    auto i = names.find(t);
    return i == names.end() ? std::string{t.name()} : i->second;
  };
  std::string not_sent;
  for (auto& type : registered)
    if (covered.count(type) == 0)
      not_sent += " " + name_of(type);
  std::string not_registered;
  for (auto& type : covered)
    if (registered.count(type) == 0)
      not_registered += " " + name_of(type);
  CHECK_MESSAGE(not_sent.empty(), "registered, never sent:" << not_sent);
  CHECK_MESSAGE(not_registered.empty(), "sent, not registered:" << not_registered);
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
