// The ZooKeeper client contract: the same scenarios run against every implementation of
// fjord::zk::client (the in-memory fake, the real client on a real server, and the fault
// injector with no faults), plus the implementation-specific hooks (fake session expiry and
// suspension, a real server stopped and restarted under a client).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stores/zookeeper/zk_fake_client.hpp"
#include "stores/zookeeper/zk_fault_injector.hpp"
#include "stores/zookeeper/zk_real_client.hpp"
#include "stores/zookeeper/zk_reconnecting_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/zk_recorders.hpp"
#include "tests/support/zk_test_server.hpp"

using namespace fjord::zk;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

struct fake_backend {
  std::shared_ptr<fake_zk_server> server = std::make_shared<fake_zk_server>();
  std::string root = unique_root("fake");
  client_ptr open() {
    return std::make_shared<fake_zk_client>(server, root, 4000);
  }
};

connect_options real_options(const std::string& quorum, const std::string& root,
                             std::int64_t session_timeout_ms = 4000) {
  connect_options o;
  o.quorum = quorum;
  o.root = root;
  o.session_timeout_ms = session_timeout_ms;
  o.connection_timeout_ms = 10000;
  return o;
}

struct real_backend {
  std::string root = unique_root("real");
  client_ptr open() {
    return real_zk_client::connect(real_options(zk_test_server::shared().quorum(), root));
  }
};

/// The fault injector with no faults must be indistinguishable from what it wraps.
struct no_fault_backend {
  std::string root = unique_root("injector");
  client_ptr open() {
    auto real = real_zk_client::connect(real_options(zk_test_server::shared().quorum(), root));
    return std::make_shared<fault_injecting_zk_client>(real, 42);
  }
};

/// The reconnecting decorator over each client, which the stores use: while its session lives
/// it must be indistinguishable from the client it wraps.
template <class Inner>
struct reconnecting_backend {
  Inner inner;
  client_ptr open() {
    return std::make_shared<reconnecting_client>([this] { return inner.open(); });
  }
};
using reconnecting_fake_backend = reconnecting_backend<fake_backend>;
using reconnecting_real_backend = reconnecting_backend<real_backend>;

error_code code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const zk_error& e) {
    return e.code();
  }
  return error_code::ok;
}

bool is_ten_digit_suffix(const std::string& path, const std::string& prefix) {
  if (path.size() != prefix.size() + 10 || path.compare(0, prefix.size(), prefix) != 0)
    return false;
  return std::all_of(path.begin() + prefix.size(), path.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// Fires a watch on a marker node and waits for it: every event queued before it on the same
/// client's event thread has then been delivered.
void drain_events(client& c, const std::string& marker) {
  c.create_recursive(marker);
  auto seen = std::make_shared<event_recorder>();
  REQUIRE(c.get(marker, seen->callback()));
  c.set(marker, "x", -1);
  REQUIRE(eventually([&] { return seen->count() == 1; }));
}

}  // namespace

#define CONTRACT_BACKENDS \
  fake_backend, real_backend, no_fault_backend, reconnecting_fake_backend, reconnecting_real_backend

TEST_CASE_TEMPLATE("zk client: persistent, ephemeral and sequential create modes", B,
                   CONTRACT_BACKENDS) {
  B backend;
  auto a = backend.open();
  auto b = backend.open();

  CHECK(a->create("/p", "data", create_mode::persistent) == "/p");
  auto p = a->exists("/p");
  REQUIRE(p);
  CHECK(p->ephemeral_owner == 0);
  CHECK(p->version == 0);

  CHECK(a->create("/e", "", create_mode::ephemeral) == "/e");
  auto e = b->exists("/e");
  REQUIRE(e);
  CHECK(e->ephemeral_owner == a->session_id());
  CHECK(a->session_id() != b->session_id());

  std::vector<std::string> seq;
  for (int i = 0; i < 3; ++i)
    seq.push_back(a->create("/p/n-", std::to_string(i), create_mode::persistent_sequential));
  for (const auto& s : seq)
    CHECK(is_ten_digit_suffix(s, "/p/n-"));
  CHECK(std::is_sorted(seq.begin(), seq.end()));
  CHECK(std::set<std::string>(seq.begin(), seq.end()).size() == 3);
  CHECK(a->get(seq[1])->data == "1");

  auto es = a->create("/p/l-", "", create_mode::ephemeral_sequential);
  CHECK(is_ten_digit_suffix(es, "/p/l-"));
  CHECK(es.substr(es.size() - 10) > seq.back().substr(seq.back().size() - 10));
  CHECK(b->exists(es)->ephemeral_owner == a->session_id());

  a->close();
  CHECK_FALSE(b->exists("/e"));
  CHECK_FALSE(b->exists(es));
  CHECK(b->exists("/p"));
  CHECK(b->children("/p").names.size() == 3);
}

TEST_CASE_TEMPLATE("zk client: create errors name the problem", B, CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  c->create("/x", "", create_mode::persistent);
  CHECK(code_of([&] { c->create("/x", "", create_mode::persistent); }) ==
        error_code::node_exists);
  CHECK(code_of([&] { c->create("/missing/child", "", create_mode::persistent); }) ==
        error_code::no_node);
  CHECK(code_of([&] { c->create("no-slash", "", create_mode::persistent); }) ==
        error_code::bad_arguments);
  CHECK(code_of([&] { c->create("/trailing/", "", create_mode::persistent); }) ==
        error_code::bad_arguments);
  c->create("/eph", "", create_mode::ephemeral);
  CHECK(code_of([&] { c->create("/eph/child", "", create_mode::persistent); }) ==
        error_code::no_children_for_ephemerals);
  try {
    c->create("/x", "", create_mode::persistent);
    FAIL("expected node_exists");
  } catch (const zk_error& e) {
    CHECK(e.path() == "/x");
    CHECK(std::string(e.what()).find("/x") != std::string::npos);
  }
}

TEST_CASE_TEMPLATE("zk client: get and set honour data versions", B, CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  CHECK_FALSE(c->get("/n"));
  c->create("/n", "v0", create_mode::persistent);
  auto g = c->get("/n");
  REQUIRE(g);
  CHECK(g->data == "v0");
  CHECK(g->stat.version == 0);

  auto s1 = c->set("/n", "v1", 0);
  CHECK(s1.version == 1);
  CHECK(s1.mzxid > g->stat.mzxid);
  CHECK(code_of([&] { c->set("/n", "stale", 0); }) == error_code::bad_version);
  CHECK(c->get("/n")->data == "v1");
  CHECK(c->set("/n", "v2", -1).version == 2);
  CHECK(c->get("/n")->data == "v2");
  CHECK(code_of([&] { c->set("/nope", "", -1); }) == error_code::no_node);

  std::string binary("\0\1\2\xff", 4);
  c->set("/n", binary, -1);
  CHECK(c->get("/n")->data == binary);
  c->set("/n", "", -1);
  CHECK(c->get("/n")->data.empty());
}

TEST_CASE_TEMPLATE("zk client: remove honours versions and refuses non-empty nodes", B,
                   CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  c->create("/r", "", create_mode::persistent);
  c->create("/r/child", "", create_mode::persistent);
  CHECK(code_of([&] { c->remove("/r"); }) == error_code::not_empty);
  c->set("/r/child", "x", -1);
  CHECK(code_of([&] { c->remove("/r/child", 0); }) == error_code::bad_version);
  CHECK(c->exists("/r/child"));
  c->remove("/r/child", 1);
  CHECK_FALSE(c->exists("/r/child"));
  c->remove("/r");
  CHECK(code_of([&] { c->remove("/r"); }) == error_code::no_node);

  c->create_recursive("/deep/a/b/c");
  c->create("/deep/a/x", "", create_mode::persistent);
  CHECK(c->exists("/deep/a/b/c"));
  c->create_recursive("/deep/a/b/c");  // exists already: no error
  c->remove_recursive("/deep/a");
  CHECK_FALSE(c->exists("/deep/a"));
  CHECK(c->exists("/deep"));
  c->remove_recursive("/deep/a");  // missing: no error
}

TEST_CASE_TEMPLATE("zk client: children and cversion", B, CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  c->create("/dir", "", create_mode::persistent);
  auto empty = c->children("/dir");
  CHECK(empty.names.empty());
  CHECK(empty.stat.cversion == 0);
  c->create("/dir/a", "", create_mode::persistent);
  c->create("/dir/b", "", create_mode::persistent);
  auto two = c->children("/dir");
  std::sort(two.names.begin(), two.names.end());
  CHECK(two.names == std::vector<std::string>{"a", "b"});
  CHECK(two.stat.num_children == 2);
  CHECK(two.stat.cversion > empty.stat.cversion);
  c->set("/dir/a", "data changes do not touch cversion", -1);
  CHECK(c->children("/dir").stat.cversion == two.stat.cversion);
  c->remove("/dir/a");
  auto one = c->children("/dir");
  CHECK(one.names == std::vector<std::string>{"b"});
  CHECK(one.stat.cversion > two.stat.cversion);
  CHECK(code_of([&] { c->children("/nope"); }) == error_code::no_node);
}

TEST_CASE_TEMPLATE("zk client: multi applies all or nothing", B, CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  c->create("/m", "", create_mode::persistent);
  c->create("/m/old", "o", create_mode::persistent);

  auto results = c->multi({op::create("/m/new", "n"),
                           op::create("/m/s-", "", create_mode::persistent_sequential),
                           op::set("/m/old", "o2", 0), op::check("/m", -1)});
  REQUIRE(results.size() == 4);
  CHECK(results[0].created_path == "/m/new");
  CHECK(is_ten_digit_suffix(results[1].created_path, "/m/s-"));
  CHECK(c->get("/m/old")->data == "o2");

  auto before = c->children("/m");
  CHECK(code_of([&] {
          c->multi({op::create("/m/never", ""), op::remove("/m/new"), op::check("/m/old", 0)});
        }) == error_code::bad_version);
  CHECK_FALSE(c->exists("/m/never"));
  CHECK(c->exists("/m/new"));
  CHECK(c->children("/m").stat.cversion == before.stat.cversion);

  CHECK(code_of([&] { c->multi({op::set("/m/old", "x", 1), op::create("/m/new", "")}); }) ==
        error_code::node_exists);
  CHECK(c->get("/m/old")->data == "o2");
  CHECK(code_of([&] { c->multi({op::remove("/m/missing")}); }) == error_code::no_node);
  CHECK(c->multi({}).empty());
}

TEST_CASE_TEMPLATE("zk client: each watch kind fires exactly once", B, CONTRACT_BACKENDS) {
  B backend;
  auto c = backend.open();
  auto other = backend.open();
  c->create("/w", "", create_mode::persistent);
  c->create("/w/data", "", create_mode::persistent);

  auto on_get = std::make_shared<event_recorder>();
  auto on_exists_missing = std::make_shared<event_recorder>();
  auto on_exists_present = std::make_shared<event_recorder>();
  auto on_children = std::make_shared<event_recorder>();
  auto on_deleted = std::make_shared<event_recorder>();
  auto on_children_of_deleted = std::make_shared<event_recorder>();

  REQUIRE(c->get("/w/data", on_get->callback()));
  CHECK_FALSE(c->exists("/w/later", on_exists_missing->callback()));
  REQUIRE(c->exists("/w/data", on_exists_present->callback()));
  c->children("/w", on_children->callback());
  c->create("/w/gone", "", create_mode::persistent);
  REQUIRE(c->get("/w/gone", on_deleted->callback()));
  c->children("/w/gone", on_children_of_deleted->callback());

  // Another session makes the changes, twice each: one-shot watches fire once.
  other->set("/w/data", "1", -1);
  other->set("/w/data", "2", -1);
  other->create("/w/later", "", create_mode::persistent);
  other->remove("/w/later");
  other->remove("/w/gone");
  drain_events(*c, "/w-marker");

  CHECK(on_get->described() == std::vector<std::string>{"changed /w/data"});
  CHECK(on_exists_present->described() == std::vector<std::string>{"changed /w/data"});
  CHECK(on_exists_missing->described() == std::vector<std::string>{"created /w/later"});
  CHECK(on_children->described() == std::vector<std::string>{"child /w"});
  CHECK(on_deleted->described() == std::vector<std::string>{"deleted /w/gone"});
  CHECK(on_children_of_deleted->described() == std::vector<std::string>{"deleted /w/gone"});

  // A get on a missing node sets no watch; creating it later fires nothing.
  auto on_missing_get = std::make_shared<event_recorder>();
  CHECK_FALSE(c->get("/w/absent", on_missing_get->callback()));
  other->create("/w/absent", "", create_mode::persistent);
  drain_events(*c, "/w-marker2");
  CHECK(on_missing_get->count() == 0);
}

TEST_CASE_TEMPLATE("zk client: a closed session's ephemerals vanish and fire watches", B,
                   CONTRACT_BACKENDS) {
  B backend;
  auto owner = backend.open();
  auto watcher = backend.open();
  owner->create("/eph", "", create_mode::ephemeral);
  auto deleted = std::make_shared<event_recorder>();
  REQUIRE(watcher->exists("/eph", deleted->callback()));
  owner->close();
  REQUIRE(eventually([&] { return deleted->count() == 1; }));
  CHECK(deleted->events().front().type == watch_event_type::deleted);
  CHECK(is_session_lost(code_of([&] { owner->get("/eph"); })));
}

TEST_CASE("fake zk client: expired session drops ephemerals and refuses every call") {
  auto server = std::make_shared<fake_zk_server>();
  fake_zk_client a(server), b(server);
  std::mutex m;
  std::vector<connection_state> states;
  a.set_connection_listener([&](connection_state s) {
    std::lock_guard<std::mutex> lock(m);
    states.push_back(s);
  });
  a.create("/e", "", create_mode::ephemeral);
  auto own_watch = std::make_shared<event_recorder>();
  auto other_watch = std::make_shared<event_recorder>();
  a.exists("/e", own_watch->callback());
  b.exists("/e", other_watch->callback());

  a.expire_session();
  a.flush_events();
  b.flush_events();
  CHECK(a.state() == connection_state::expired);
  {
    std::lock_guard<std::mutex> lock(m);
    CHECK(states == std::vector<connection_state>{connection_state::expired});
  }
  CHECK_FALSE(b.exists("/e"));
  CHECK(other_watch->count() == 1);
  CHECK(own_watch->count() == 0);
  CHECK(code_of([&] { a.get("/e"); }) == error_code::session_expired);
  CHECK(code_of([&] { a.create("/f", "", create_mode::persistent); }) ==
        error_code::session_expired);
  CHECK(code_of([&] { a.multi({op::check("/", -1)}); }) == error_code::session_expired);
}

TEST_CASE("fake zk client: suspended connection throws connection_loss and holds events") {
  auto server = std::make_shared<fake_zk_server>();
  fake_zk_client a(server), b(server);
  std::mutex m;
  std::vector<connection_state> states;
  a.set_connection_listener([&](connection_state s) {
    std::lock_guard<std::mutex> lock(m);
    states.push_back(s);
  });
  a.create("/e", "", create_mode::ephemeral);
  b.create("/n", "", create_mode::persistent);
  auto watch = std::make_shared<event_recorder>();
  a.get("/n", watch->callback());

  a.suspend();
  CHECK(a.state() == connection_state::suspended);
  CHECK(code_of([&] { a.get("/n"); }) == error_code::connection_loss);
  CHECK(code_of([&] { a.set("/n", "", -1); }) == error_code::connection_loss);
  b.set("/n", "changed while suspended", -1);
  a.flush_events();
  CHECK(watch->count() == 0);
  CHECK(b.exists("/e"));  // the session lives on

  a.reconnect();
  a.flush_events();
  CHECK(a.state() == connection_state::reconnected);
  CHECK(watch->count() == 1);
  CHECK(a.get("/n")->data == "changed while suspended");
  std::lock_guard<std::mutex> lock(m);
  CHECK(states ==
        std::vector<connection_state>{connection_state::suspended, connection_state::reconnected});
}

TEST_CASE("fake zk client: clients with different roots are isolated on one server") {
  auto server = std::make_shared<fake_zk_server>();
  fake_zk_client a(server, "/cluster-a"), b(server, "/cluster-b"), all(server, "/");
  a.create("/x", "a", create_mode::persistent);
  b.create("/x", "b", create_mode::persistent);
  CHECK(a.get("/x")->data == "a");
  CHECK(b.get("/x")->data == "b");
  CHECK(all.get("/cluster-a/x")->data == "a");
  auto seen = std::make_shared<event_recorder>();
  a.get("/x", seen->callback());
  all.set("/cluster-a/x", "changed", -1);
  a.flush_events();
  CHECK(seen->described() == std::vector<std::string>{"changed /x"});
  CHECK_THROWS_AS(fake_zk_client(server, "relative"), zk_error);
}

TEST_CASE("fake zk client: concurrent sequential creates get distinct increasing names") {
  auto server = std::make_shared<fake_zk_server>();
  fake_zk_client setup(server);
  setup.create("/q", "", create_mode::persistent);
  std::vector<std::thread> threads;
  std::mutex m;
  std::vector<std::string> names;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      fake_zk_client c(server);
      for (int i = 0; i < 50; ++i) {
        auto name = c.create("/q/n-", "", create_mode::persistent_sequential);
        std::lock_guard<std::mutex> lock(m);
        names.push_back(name);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == 200);
  CHECK(setup.children("/q").names.size() == 200);
}

TEST_CASE("real zk client: server stopped and restarted -> suspended, reconnected, data intact") {
  zk_test_server server;
  server.start();
  auto root = unique_root("restart");
  auto c = real_zk_client::connect(real_options(server.quorum(), root, 8000));
  auto states = std::make_shared<state_recorder>();
  c->set_connection_listener(states->listener());
  c->create("/kept", "value", create_mode::persistent);
  c->create("/mine", "", create_mode::ephemeral);
  auto session = c->session_id();

  server.stop();
  REQUIRE(eventually([&] { return states->saw(connection_state::suspended); }));
  CHECK(c->state() == connection_state::suspended);
  CHECK(is_retryable(code_of([&] { c->get("/kept"); })));

  server.start();
  REQUIRE(eventually([&] { return states->saw(connection_state::reconnected); }));
  CHECK(states->states() ==
        std::vector<connection_state>{connection_state::suspended, connection_state::reconnected});
  CHECK(c->session_id() == session);
  CHECK(c->get("/kept")->data == "value");
  auto mine = c->exists("/mine");
  REQUIRE(mine);  // the session survived: its ephemeral too
  CHECK(mine->ephemeral_owner == session);
}

TEST_CASE("real zk client: a killed session is expired and refuses every later call") {
  auto root = unique_root("expire");
  auto quorum = zk_test_server::shared().quorum();
  auto c = real_zk_client::connect(real_options(quorum, root));
  auto watcher = real_zk_client::connect(real_options(quorum, root));
  auto states = std::make_shared<state_recorder>();
  c->set_connection_listener(states->listener());
  c->create("/e", "", create_mode::ephemeral);
  auto unfired = std::make_shared<event_recorder>();
  c->exists("/never", unfired->callback());
  auto deleted = std::make_shared<event_recorder>();
  REQUIRE(watcher->exists("/e", deleted->callback()));

  c->kill_session_for_testing();
  REQUIRE(eventually([&] { return states->saw(connection_state::expired); }));
  CHECK(c->state() == connection_state::expired);
  CHECK(code_of([&] { c->get("/e"); }) == error_code::session_expired);
  CHECK(code_of([&] { c->create("/x", "", create_mode::persistent); }) ==
        error_code::session_expired);
  REQUIRE(eventually([&] { return deleted->count() == 1; }));
  CHECK_FALSE(watcher->exists("/e"));
  CHECK(unfired->count() == 0);
}

TEST_CASE("real zk client: connecting to a port without a server fails naming the quorum") {
  connect_options o;
  o.quorum = "127.0.0.1:1";
  o.connection_timeout_ms = 300;
  try {
    real_zk_client::connect(o);
    FAIL("connect should have failed");
  } catch (const zk_error& e) {
    CHECK(e.code() == error_code::connection_loss);
    CHECK(std::string(e.what()).find("127.0.0.1:1") != std::string::npos);
  }
  o.quorum = "";
  CHECK_THROWS_AS(real_zk_client::connect(o), zk_error);
  o.quorum = "127.0.0.1:1";
  o.root = "relative";
  CHECK(code_of([&] { real_zk_client::connect(o); }) == error_code::bad_arguments);
}

TEST_CASE("real zk client: large values round-trip, the root is created on connect") {
  auto root = unique_root("large") + "/nested/deeper";
  auto c = real_zk_client::connect(real_options(zk_test_server::shared().quorum(), root));
  auto all = real_zk_client::connect(real_options(zk_test_server::shared().quorum(), "/"));
  CHECK(all->exists(root));
  std::string big(300 * 1024, 'x');
  big[12345] = '\0';
  c->create("/big", big, create_mode::persistent);
  CHECK(c->get("/big")->data == big);
  CHECK(c->get("/")->stat.num_children == 1);
}

TEST_CASE("fault injector: a planned fault before the call applies nothing") {
  auto server = std::make_shared<fake_zk_server>();
  auto inner = std::make_shared<fake_zk_client>(server);
  fault_injecting_zk_client c(inner, 7);
  c.fail_call(call_kind::create, 2, fault_timing::before);
  c.create("/first", "", create_mode::persistent);
  CHECK(code_of([&] { c.create("/second", "", create_mode::persistent); }) ==
        error_code::connection_loss);
  CHECK_FALSE(inner->exists("/second"));
  c.create("/third", "", create_mode::persistent);
  auto faults = c.injected();
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].kind == call_kind::create);
  CHECK(faults[0].call_number == 2);
  CHECK(faults[0].timing == fault_timing::before);
  CHECK(faults[0].path == "/second");
  CHECK(c.calls(call_kind::create) == 3);
}

TEST_CASE("fault injector: a fault after the call applied the write but reports a loss") {
  auto inner = std::make_shared<fake_zk_client>();
  fault_injecting_zk_client c(inner);
  c.create("/n", "v0", create_mode::persistent);
  c.fail_next(call_kind::set, fault_timing::after);
  CHECK(code_of([&] { c.set("/n", "v1", 0); }) == error_code::connection_loss);
  CHECK(inner->get("/n")->data == "v1");  // it happened
  CHECK(code_of([&] { c.set("/n", "v1", 0); }) == error_code::bad_version);  // a blind retry
  c.fail_next(call_kind::multi, fault_timing::after);
  CHECK(code_of([&] { c.multi({op::create("/m", ""), op::remove("/n")}); }) ==
        error_code::connection_loss);
  CHECK(inner->exists("/m"));
  CHECK_FALSE(inner->exists("/n"));
  CHECK(c.injected().size() == 2);
  CHECK(c.injected()[1].timing == fault_timing::after);
}

TEST_CASE("fault injector: seeded random faults are reproducible and recorded") {
  auto run_once = [](std::uint64_t seed) {
    fault_injecting_zk_client c(std::make_shared<fake_zk_client>(), seed);
    c.set_fault_probability(0.3, 0.5);
    std::vector<std::string> outcome;
    for (int i = 0; i < 200; ++i) {
      auto code = code_of([&] { c.create_recursive("/r/" + std::to_string(i)); });
      outcome.push_back(to_string(code));
    }
    auto faults = c.injected();
    auto failed = std::count(outcome.begin(), outcome.end(), std::string("connection loss"));
    CHECK(static_cast<std::size_t>(failed) == faults.size());
    auto after = std::count_if(faults.begin(), faults.end(),
                               [](const auto& f) { return f.timing == fault_timing::after; });
    auto applied = 0;
    for (int i = 0; i < 200; ++i)
      applied += c.inner()->exists("/r/" + std::to_string(i)) ? 1 : 0;
    CHECK(applied == 200 - static_cast<int>(faults.size()) + static_cast<int>(after));
    return outcome;
  };
  auto a = run_once(99);
  CHECK(a == run_once(99));
  CHECK(a != run_once(100));
  auto failed = std::count(a.begin(), a.end(), std::string("connection loss"));
  CHECK(failed > 20);
  CHECK(failed < 120);
  CHECK_THROWS_AS(fault_injecting_zk_client(nullptr), std::invalid_argument);
  fault_injecting_zk_client c(std::make_shared<fake_zk_client>());
  CHECK_THROWS_AS(c.set_fault_probability(1.5), std::invalid_argument);
  CHECK_THROWS_AS(c.fail_call(call_kind::get, 0, fault_timing::before), std::invalid_argument);
}

namespace {

/// Runs scripts/zookeeper.sh.
command_result zookeeper_script(const std::string& args, const std::string& shell = "bash") {
  return run_command(shell + " '" + FJORD_SOURCE_DIR + "/scripts/zookeeper.sh' " + args);
}

}  // namespace

TEST_CASE("scripts/zookeeper.sh: status, busy port and usage errors are one clear line") {
  auto& server = zk_test_server::shared();
  auto status = zookeeper_script("status '" + server.dir() + "'");
  CHECK(status.exit_status == 0);
  CHECK(status.output == fmt::format("running {}\n", server.port()));

  zk_test_server other;  // a fresh directory, not started
  auto stopped = zookeeper_script("status '" + other.dir() + "'");
  CHECK(stopped.output == "stopped\n");

  auto busy = zookeeper_script("start '" + other.dir() + "' " + std::to_string(server.port()));
  CHECK(busy.exit_status != 0);
  CHECK(busy.output.find("port " + std::to_string(server.port()) + " on 127.0.0.1 is busy") !=
        std::string::npos);
  CHECK(std::count(busy.output.begin(), busy.output.end(), '\n') == 1);

  auto usage = zookeeper_script("restart '" + other.dir() + "'");
  CHECK(usage.exit_status != 0);
  CHECK(usage.output.find("usage: zookeeper.sh start|stop|status DIR [PORT]") !=
        std::string::npos);
  auto no_java = zookeeper_script("start '" + other.dir() + "'", "PATH=/nonexistent /bin/bash");
  CHECK(no_java.exit_status != 0);
  CHECK(no_java.output.find("java not found") != std::string::npos);
  auto bad_port = zookeeper_script("start '" + other.dir() + "' http");
  CHECK(bad_port.exit_status != 0);
  CHECK(bad_port.output.find("PORT must be 0..65535") != std::string::npos);
}

TEST_CASE("real zk client: watches from many threads fire at most once and are freed on close") {
  auto root = unique_root("threads");
  auto quorum = zk_test_server::shared().quorum();
  auto c = real_zk_client::connect(real_options(quorum, root));
  auto writer = real_zk_client::connect(real_options(quorum, root));
  for (int i = 0; i < 8; ++i)
    c->create("/n" + std::to_string(i), "", create_mode::persistent);
  auto fired = std::make_shared<event_recorder>();
  std::atomic<int> registered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        auto path = "/n" + std::to_string((t + i) % 8);
        if (i % 3 == 0)
          c->exists(path, fired->callback());
        else if (i % 3 == 1)
          c->get(path, fired->callback());
        else
          c->children(path, fired->callback());
        ++registered;
        if (i % 10 == 0)
          writer->set(path, std::to_string(i), -1);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  drain_events(*c, "/marker");
  CHECK(registered == 400);
  auto fired_before_close = fired->count();
  CHECK(fired_before_close > 0);
  CHECK(fired_before_close <= 400);
  // The unfired watches are freed by close (ASan's leak check proves it) and never fire.
  c->close();
  writer->set("/n0", "after close", -1);
  std::this_thread::sleep_for(50ms);
  CHECK(fired->count() == fired_before_close);
}
