// Leader election and retrieval on ZooKeeper: on the in-memory fake (deterministic connection
// hooks) and on a real server (sessions closed, killed and expired; a contender process killed
// with SIGKILL; the server paused). Every contender counts the grants held at the same moment
// in a shared atomic: it must never exceed one.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serialization/records.hpp"
#include "stores/zookeeper/zk_fake_client.hpp"
#include "stores/zookeeper/zk_fault_injector.hpp"
#include "stores/zookeeper/zk_leader_election.hpp"
#include "stores/zookeeper/zk_leader_retrieval.hpp"
#include "stores/zookeeper/zk_real_client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/zk_recorders.hpp"
#include "tests/support/zk_test_server.hpp"


using namespace fjord;
using namespace fjord::zk;
using namespace fjord::testing;
using namespace std::chrono_literals;

namespace {

/// Grants held right now, over all contenders of a test, and the most ever held at once.
struct grant_counter {
  std::atomic<int> current{0};
  std::atomic<int> most{0};
  void up() {
    int now = ++current;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
  }
  void down() { --current; }
};

class test_contender : public leader_contender {
 public:
  test_contender(grant_counter& counter, std::string address, bool auto_confirm = true)
    : counter_(counter), address_(std::move(address)), auto_confirm_(auto_confirm) {}

  void attach(leader_election_service* service) { service_ = service; }

  void grant_leadership(const std::string& session_id) override {
    counter_.up();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!current_.empty())
        ++double_grants_;
      current_ = session_id;
      grants_.push_back(session_id);
    }
    // Called back into the service from its own callback: must not deadlock, and must agree.
    if (!service_->has_leadership(session_id)) {
      std::lock_guard<std::mutex> lock(mutex_);
      ++double_grants_;
    }
    if (auto_confirm_)
      service_->confirm_leadership(session_id, address_);
  }

  void revoke_leadership() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (current_.empty()) {
      ++revokes_without_grant_;
    } else {
      counter_.down();
      current_.clear();
    }
    ++revokes_;
  }

  void handle_error(const std::string& message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.push_back(message);
  }

  bool leading() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !current_.empty();
  }
  std::string current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  int grants() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(grants_.size());
  }
  int revokes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return revokes_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return errors_;
  }
  /// Revocations without a grant, or a grant on top of a grant: both are service bugs.
  int protocol_violations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return revokes_without_grant_ + double_grants_;
  }
  const std::string& address() const { return address_; }

 private:
  grant_counter& counter_;
  std::string address_;
  bool auto_confirm_;
  leader_election_service* service_ = nullptr;
  mutable std::mutex mutex_;
  std::string current_;
  std::vector<std::string> grants_;
  std::vector<std::string> errors_;
  int revokes_ = 0;
  int revokes_without_grant_ = 0;
  int double_grants_ = 0;
};

class recording_listener : public leader_retrieval_listener {
 public:
  void notify_leader_address(const std::string& address, const std::string& session) override {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(address + "|" + session);
  }
  void handle_error(const std::string& message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.push_back(message);
  }
  std::vector<std::string> seen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }
  bool last_is(const std::string& entry) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !seen_.empty() && seen_.back() == entry;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
  std::vector<std::string> errors_;
};

/// One contender: its service and its test contender.
struct candidate {
  std::unique_ptr<test_contender> contender;
  std::unique_ptr<zk_leader_election_service> service;

  candidate(grant_counter& counter, const std::string& address, client_factory factory,
            leader_election_options options = {}, bool auto_confirm = true)
    : contender(std::make_unique<test_contender>(counter, address, auto_confirm)),
      service(std::make_unique<zk_leader_election_service>(std::move(factory), options)) {
    contender->attach(service.get());
    service->start(contender.get());
  }
};

int count_leaders(const std::vector<std::unique_ptr<candidate>>& all) {
  int n = 0;
  for (const auto& c : all)
    n += c && c->contender->leading() ? 1 : 0;
  return n;
}

std::optional<leader_info> read_leader(client& c, const std::string& path = "/leader") {
  auto node = c.get(path);
  if (!node)
    return std::nullopt;
  try {
    return decode<leader_info>(node->data);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool leader_node_names(client& c, const test_contender& who) {
  auto info = read_leader(c);
  return info && info->address == who.address() && info->session_id == who.current();
}

connect_options real_options(const std::string& root, std::int64_t session_timeout_ms) {
  connect_options o;
  o.quorum = zk_test_server::shared().quorum();
  o.root = root;
  o.session_timeout_ms = session_timeout_ms;
  o.connection_timeout_ms = 10000;
  return o;
}

client_factory real_factory(const std::string& root, std::int64_t session_timeout_ms = 4000) {
  auto options = real_options(root, session_timeout_ms);
  return [options] { return real_zk_client::connect(options); };
}

client_factory fake_factory(const std::shared_ptr<fake_zk_server>& server,
                            std::int64_t session_timeout_ms = 4000) {
  return [server, session_timeout_ms] {
    return std::make_shared<fake_zk_client>(server, "/fjord", session_timeout_ms);
  };
}

/// Runs the scenario "three contenders; the leader's session closes, twice" on a backend.
void three_contenders_take_turns(const std::function<client_factory()>& factory_for,
                                 const client_ptr& observer) {
  grant_counter counter;
  std::vector<std::unique_ptr<candidate>> all;
  for (int i = 0; i < 3; ++i)
    all.push_back(
      std::make_unique<candidate>(counter, "jm-" + std::to_string(i) + ":6123", factory_for()));

  for (int round = 0; round < 3; ++round) {
    REQUIRE(eventually([&] { return count_leaders(all) == 1; }));
    std::this_thread::sleep_for(50ms);  // a second grant would show up here
    REQUIRE(count_leaders(all) == 1);
    std::size_t leader = 0;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i] && all[i]->contender->leading())
        leader = i;
    auto& who = *all[leader]->contender;
    REQUIRE(eventually([&] { return leader_node_names(*observer, who); }));
    CHECK(observer->exists("/leader")->ephemeral_owner ==
          all[leader]->service->current_client()->session_id());
    // The leader's session closes: the next one is granted.
    all[leader]->service->stop();
    CHECK_FALSE(who.leading());
    CHECK(who.revokes() == 1);
    all[leader].reset();
  }
  CHECK(counter.most == 1);
  CHECK(counter.current == 0);
}

std::string tool_path(const std::string& name) {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / name).string();
}

}  // namespace

// --- fake ZooKeeper ------------------------------------------------------------------------

TEST_CASE("leader election (fake): three contenders, exactly one leader, next one on close") {
  auto server = std::make_shared<fake_zk_server>();
  auto observer = std::make_shared<fake_zk_client>(server);
  three_contenders_take_turns([&] { return fake_factory(server); }, observer);
  CHECK(observer->children("/leaderlatch").names.empty());
}

TEST_CASE("leader election (fake): each contender watches only its predecessor") {
  auto server = std::make_shared<fake_zk_server>();
  auto observer = std::make_shared<fake_zk_client>(server);
  grant_counter counter;
  std::vector<std::unique_ptr<candidate>> all;
  for (int i = 0; i < 4; ++i) {
    all.push_back(std::make_unique<candidate>(counter, "jm" + std::to_string(i),
                                              fake_factory(server)));
    REQUIRE(eventually([&] { return !all.back()->service->latch_node().empty(); }));
  }
  REQUIRE(eventually([&] { return all[0]->contender->leading(); }));
  // The third contender's predecessor goes: nobody is granted, the last now waits on the first.
  all[1]->service->stop();
  std::this_thread::sleep_for(50ms);
  CHECK(count_leaders(all) == 1);
  CHECK(all[0]->contender->leading());
  all[0]->service->stop();
  REQUIRE(eventually([&] { return all[2]->contender->leading(); }));
  CHECK_FALSE(all[3]->contender->leading());
  CHECK(counter.most == 1);
}

TEST_CASE("leader election (fake): suspended connection revokes at once by default") {
  auto server = std::make_shared<fake_zk_server>();
  std::shared_ptr<fake_zk_client> session;
  grant_counter counter;
  candidate c(counter, "jm:1", [&] {
    session = std::make_shared<fake_zk_client>(server);
    return session;
  });
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  auto first = c.contender->current();
  session->suspend();
  REQUIRE(eventually([&] { return !c.contender->leading(); }));
  CHECK_FALSE(c.service->has_leadership(first));
  session->reconnect();
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  CHECK(c.contender->current() != first);  // a new grant, a new leader session id
  CHECK(c.contender->grants() == 2);
  CHECK(c.contender->protocol_violations() == 0);
}

TEST_CASE("leader election (fake): tolerate-suspended keeps leadership across a short outage") {
  auto server = std::make_shared<fake_zk_server>();
  std::shared_ptr<fake_zk_client> session;
  grant_counter counter;
  leader_election_options options;
  options.tolerate_suspended_connections = true;
  candidate c(counter, "jm:1",
              [&] {
                session = std::make_shared<fake_zk_client>(server, "/fjord", 60000);
                return session;
              },
              options);
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  auto grant = c.contender->current();
  session->suspend();
  session->flush_events();
  std::this_thread::sleep_for(100ms);  // a revocation would be due now
  CHECK(c.service->has_leadership(grant));
  session->reconnect();
  session->flush_events();
  std::this_thread::sleep_for(50ms);
  CHECK(c.service->has_leadership(grant));
  CHECK(c.contender->grants() == 1);
  CHECK(c.contender->revokes() == 0);

  // ... but an expired session always revokes, and a new session contends again.
  session->expire_session();
  REQUIRE(eventually([&] { return c.contender->revokes() == 1; }));
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  CHECK(c.contender->current() != grant);
  CHECK(c.contender->protocol_violations() == 0);
}

TEST_CASE("leader election (fake): tolerance ends when the session may be gone") {
  auto server = std::make_shared<fake_zk_server>();
  std::shared_ptr<fake_zk_client> session;
  grant_counter counter;
  leader_election_options options;
  options.tolerate_suspended_connections = true;
  candidate c(counter, "jm:1",
              [&] {
                session = std::make_shared<fake_zk_client>(server, "/fjord", 300);
                return session;
              },
              options);
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  session->suspend();
  // Not reconnected within a third of the 300 ms session timeout: revoked.
  REQUIRE(eventually([&] { return !c.contender->leading(); }));
  session->reconnect();
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  CHECK(c.contender->grants() == 2);
}

TEST_CASE("leader election (fake): expired session revokes and contends with a new session") {
  auto server = std::make_shared<fake_zk_server>();
  auto observer = std::make_shared<fake_zk_client>(server);
  std::vector<std::shared_ptr<fake_zk_client>> sessions;
  std::mutex m;
  grant_counter counter;
  candidate c(counter, "jm:1", [&] {
    auto s = std::make_shared<fake_zk_client>(server);
    std::lock_guard<std::mutex> lock(m);
    sessions.push_back(s);
    return s;
  });
  REQUIRE(eventually([&] { return leader_node_names(*observer, *c.contender); }));
  auto old_latch = c.service->latch_node();
  {
    std::lock_guard<std::mutex> lock(m);
    sessions.front()->expire_session();
  }
  REQUIRE(eventually([&] { return c.contender->grants() == 2 && c.contender->leading(); }));
  CHECK(c.contender->revokes() == 1);
  CHECK(c.service->latch_node() != old_latch);
  CHECK_FALSE(observer->exists(old_latch));
  REQUIRE(eventually([&] { return leader_node_names(*observer, *c.contender); }));
  CHECK(observer->exists("/leader")->ephemeral_owner == sessions.back()->session_id());
}

TEST_CASE("leader election (fake): a latch create whose reply was lost is found again") {
  auto server = std::make_shared<fake_zk_server>();
  auto observer = std::make_shared<fake_zk_client>(server);
  std::shared_ptr<fault_injecting_zk_client> faulty;
  grant_counter counter;
  candidate c(counter, "jm:1", [&] {
    faulty = std::make_shared<fault_injecting_zk_client>(std::make_shared<fake_zk_client>(server));
    faulty->fail_next(call_kind::create, fault_timing::after);
    return faulty;
  });
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  REQUIRE(faulty->injected().size() == 1);
  CHECK(faulty->injected()[0].timing == fault_timing::after);
  // Only one latch node: the orphan was adopted, not left behind to block everyone.
  CHECK(observer->children("/leaderlatch").names.size() == 1);
  grant_counter other_counter;
  candidate second(other_counter, "jm:2", fake_factory(server));
  REQUIRE(eventually([&] { return !second.service->latch_node().empty(); }));
  c.service->stop();
  REQUIRE(eventually([&] { return second.contender->leading(); }));
}

TEST_CASE("leader election (fake): an error it retries is not reported as final") {
  // handle_error means "failed for good" and a JobManager quits on it: a ZooKeeper error
  // the service retries (here a system error on the latch create and on a leader write) must
  // end in leadership, not in a report.
  auto server = std::make_shared<fake_zk_server>();
  std::shared_ptr<fault_injecting_zk_client> faulty;
  grant_counter counter;
  candidate c(counter, "jm:1", [&] {
    faulty = std::make_shared<fault_injecting_zk_client>(std::make_shared<fake_zk_client>(server));
    faulty->fail_next(call_kind::create, fault_timing::before, error_code::system_error);
    faulty->fail_call(call_kind::create, 3, fault_timing::before, error_code::marshalling_error);
    return faulty;
  });
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  auto observer = std::make_shared<fake_zk_client>(server);
  REQUIRE(eventually([&] { return leader_node_names(*observer, *c.contender); }));
  auto injected = faulty->injected();
  REQUIRE(injected.size() == 2);
  CHECK(injected[0].code == error_code::system_error);
  CHECK(injected[1].code == error_code::marshalling_error);
  CHECK(c.contender->errors().empty());
  CHECK(c.contender->protocol_violations() == 0);
}

TEST_CASE("leader election (fake): a stale confirmation writes nothing") {
  auto server = std::make_shared<fake_zk_server>();
  auto observer = std::make_shared<fake_zk_client>(server);
  grant_counter counter;
  candidate c(counter, "jm:1", fake_factory(server), {}, /*auto_confirm=*/false);
  recording_listener listener;
  zk_leader_retrieval_service retrieval(fake_factory(server));
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  REQUIRE(eventually([&] { return listener.last_is("|"); }));

  c.service->confirm_leadership("00000000-0000-4000-8000-000000000000", "impostor:1");
  CHECK_FALSE(c.service->has_leadership("00000000-0000-4000-8000-000000000000"));
  auto grant = c.contender->current();
  c.service->confirm_leadership(grant, "jm:1");
  REQUIRE(eventually([&] { return listener.last_is("jm:1|" + grant); }));
  CHECK(listener.seen() == std::vector<std::string>{"|", "jm:1|" + grant});
  CHECK(read_leader(*observer)->address == "jm:1");
}

TEST_CASE("leader election (fake): /leader deleted or overwritten is rewritten") {
  auto server = std::make_shared<fake_zk_server>();
  auto other = std::make_shared<fake_zk_client>(server);
  grant_counter counter;
  candidate c(counter, "jm:1", fake_factory(server));
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  other->remove("/leader");
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  other->set("/leader", "garbage", -1);
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  // Replaced by a node of another session: deleted and written again by the leader.
  other->remove("/leader");
  try {
    other->create("/leader", encode(leader_info{"impostor:1", "x"}), create_mode::persistent);
  } catch (const zk_error&) {
    // the leader was faster: fine
  }
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  CHECK(other->exists("/leader")->ephemeral_owner ==
        c.service->current_client()->session_id());
}

TEST_CASE("leader retrieval (fake): each leader change is seen exactly once") {
  auto server = std::make_shared<fake_zk_server>();
  recording_listener listener;
  zk_leader_retrieval_service retrieval(fake_factory(server));
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return listener.last_is("|"); }));

  grant_counter counter;
  auto a = std::make_unique<candidate>(counter, "jm-a:1", fake_factory(server));
  REQUIRE(eventually([&] { return a->contender->leading(); }));
  auto grant_a = a->contender->current();
  REQUIRE(eventually([&] { return listener.last_is("jm-a:1|" + grant_a); }));

  auto b = std::make_unique<candidate>(counter, "jm-b:1", fake_factory(server));
  REQUIRE(eventually([&] { return !b->service->latch_node().empty(); }));
  a->service->stop();
  REQUIRE(eventually([&] { return b->contender->leading(); }));
  auto grant_b = b->contender->current();
  REQUIRE(eventually([&] { return listener.last_is("jm-b:1|" + grant_b); }));

  auto seen = listener.seen();
  // "" once at the start; A once; maybe "" between A's node vanishing and B's; B once.
  seen.erase(std::remove(seen.begin() + 1, seen.end(), "|"), seen.end());
  CHECK(seen == std::vector<std::string>{"|", "jm-a:1|" + grant_a, "jm-b:1|" + grant_b});
  for (std::size_t i = 1; i < listener.seen().size(); ++i)
    CHECK(listener.seen()[i] != listener.seen()[i - 1]);
  retrieval.stop();
}

TEST_CASE("leader retrieval (fake): undecodable leader info is skipped, not reported") {
  auto server = std::make_shared<fake_zk_server>();
  auto writer = std::make_shared<fake_zk_client>(server);
  recording_listener listener;
  zk_leader_retrieval_service retrieval(fake_factory(server));
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return listener.last_is("|"); }));
  writer->create("/leader", "not an envelope", create_mode::persistent);
  writer->set("/leader", encode(leader_info{"jm:1", "s-1"}), -1);
  REQUIRE(eventually([&] { return listener.last_is("jm:1|s-1"); }));
  writer->set("/leader", "garbage again", -1);
  writer->set("/leader", encode(leader_info{"jm:1", "s-1"}), -1);  // no change: no call
  writer->set("/leader", encode(leader_info{"jm:2", "s-2"}), -1);
  REQUIRE(eventually([&] { return listener.last_is("jm:2|s-2"); }));
  CHECK(listener.seen() == std::vector<std::string>{"|", "jm:1|s-1", "jm:2|s-2"});
}

TEST_CASE("leader retrieval (fake): a forged leader address or session is logged and ignored, "
          "the real leader is followed once it is rewritten") {
  auto server = std::make_shared<fake_zk_server>();
  auto writer = std::make_shared<fake_zk_client>(server);
  recording_listener listener;
  zk_leader_retrieval_service retrieval(fake_factory(server));
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return listener.last_is("|"); }));
  writer->create("/leader", encode(leader_info{"jm:1", "s-1"}), create_mode::persistent);
  REQUIRE(eventually([&] { return listener.last_is("jm:1|s-1"); }));
  std::string binary("\x00\xff\n\x1b[2J:12", 10);
  std::vector<leader_info> forged{
    {"h:x", "s-2"},         {":", "s-2"},
    {std::string(1 << 20, 'a') + ":1", "s-2"},
    {binary, "s-2"},        {"host:99999", "s-2"},
    {"host:0", "s-2"},      {"host:", "s-2"},
    {"ho st:1", "s-2"},     {"jm:2", std::string("s\n2", 3)},
    {"jm:2", ""},
  };
  for (auto& info : forged)
    writer->set("/leader", encode(info), -1);
  writer->set("/leader", std::string(1 << 20, '\xee'), -1);  // not even an envelope
  writer->set("/leader", encode(leader_info{"jm:3", "s-3"}), -1);
  REQUIRE(eventually([&] { return listener.last_is("jm:3|s-3"); }));
  CHECK(listener.seen() == std::vector<std::string>{"|", "jm:1|s-1", "jm:3|s-3"});
  retrieval.stop();
}

TEST_CASE("leader retrieval (fake): keeps the leader while suspended, follows after expiry") {
  auto server = std::make_shared<fake_zk_server>();
  auto writer = std::make_shared<fake_zk_client>(server);
  std::vector<std::shared_ptr<fake_zk_client>> sessions;
  std::mutex m;
  recording_listener listener;
  zk_leader_retrieval_service retrieval([&] {
    auto c = std::make_shared<fake_zk_client>(server);
    std::lock_guard<std::mutex> lock(m);
    sessions.push_back(c);
    return c;
  });
  writer->create("/leader", encode(leader_info{"jm:1", "s-1"}), create_mode::persistent);
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return listener.last_is("jm:1|s-1"); }));
  std::shared_ptr<fake_zk_client> first;
  {
    std::lock_guard<std::mutex> lock(m);
    first = sessions.front();
  }
  first->suspend();
  first->flush_events();
  first->reconnect();
  first->flush_events();
  first->expire_session();
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> lock(m);
    return sessions.size() == 2;
  }));
  writer->set("/leader", encode(leader_info{"jm:2", "s-2"}), -1);
  REQUIRE(eventually([&] { return listener.last_is("jm:2|s-2"); }));
  CHECK(listener.seen() == std::vector<std::string>{"jm:1|s-1", "jm:2|s-2"});
}

TEST_CASE("leader election: bad arguments are refused") {
  CHECK_THROWS_AS(zk_leader_election_service({}, {}), std::invalid_argument);
  auto server = std::make_shared<fake_zk_server>();
  leader_election_options bad;
  bad.latch_path = "latch";
  CHECK_THROWS_AS(zk_leader_election_service(fake_factory(server), bad), std::invalid_argument);
  zk_leader_election_service s(fake_factory(server), {});
  CHECK_THROWS_AS(s.start(nullptr), std::invalid_argument);
  CHECK_FALSE(s.has_leadership(""));
  CHECK_THROWS_AS(zk_leader_retrieval_service(fake_factory(server), "leader"),
                  std::invalid_argument);
}

// --- real ZooKeeper ------------------------------------------------------------------------

TEST_CASE("leader election (real): three contenders, exactly one leader, next one on close") {
  auto root = unique_root("election");
  auto observer = real_zk_client::connect(real_options(root, 4000));
  three_contenders_take_turns([&] { return real_factory(root); }, observer);
}

TEST_CASE("leader election (real): a leader process killed with SIGKILL is replaced in time") {
  auto root = unique_root("sigkill");
  auto tool = tool_path("zk_contender");
  REQUIRE_MESSAGE(std::filesystem::exists(tool), "build the zk_contender target: " << tool);
  const std::int64_t session_timeout_ms = 1000;
  child_process leader_process(
    {tool, zk_test_server::shared().quorum(), root, std::to_string(session_timeout_ms),
     "jm-process:6123"});
  REQUIRE(eventually([&] { return !leader_process.line_starting("GRANTED ").empty(); }));
  auto observer = real_zk_client::connect(real_options(root, 4000));
  auto process_grant = leader_process.line_starting("GRANTED ").substr(8);
  REQUIRE(eventually([&] {
    auto info = read_leader(*observer);
    return info && info->session_id == process_grant;
  }));

  grant_counter counter;
  candidate local(counter, "jm-local:6123", real_factory(root, 4000));
  REQUIRE(eventually([&] { return !local.service->latch_node().empty(); }));
  CHECK_FALSE(local.contender->leading());

  leader_process.kill(SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  // Granted once the server expires the dead session: session timeout plus slack.
  REQUIRE(eventually([&] { return local.contender->leading(); },
                     std::chrono::milliseconds(session_timeout_ms + 4000)));
  auto took = std::chrono::steady_clock::now() - killed;
  MESSAGE("granted " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms after SIGKILL (session timeout " << session_timeout_ms << " ms)");
  REQUIRE(eventually([&] { return leader_node_names(*observer, *local.contender); }));
}

TEST_CASE("leader election (real): /leader deleted or overwritten is rewritten") {
  auto root = unique_root("rewrite");
  auto other = real_zk_client::connect(real_options(root, 4000));
  grant_counter counter;
  candidate c(counter, "jm:1", real_factory(root));
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  other->remove("/leader");
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  other->set("/leader", "garbage", -1);
  REQUIRE(eventually([&] { return leader_node_names(*other, *c.contender); }));
  CHECK(other->exists("/leader")->ephemeral_owner ==
        c.service->current_client()->session_id());
}

TEST_CASE("leader election (real): expired session revokes, a new session is granted") {
  auto root = unique_root("expired");
  grant_counter counter;
  candidate c(counter, "jm:1", real_factory(root));
  REQUIRE(eventually([&] { return c.contender->leading(); }));
  auto first = c.contender->current();
  auto client = std::dynamic_pointer_cast<real_zk_client>(c.service->current_client());
  REQUIRE(client);
  auto old_session = client->session_id();
  client->kill_session_for_testing();
  REQUIRE(eventually([&] { return client->state() == connection_state::expired; }));
  REQUIRE(eventually([&] { return !c.service->has_leadership(first); }));
  // (The session may briefly come back before it is closed: a revoke-and-regrant first.)
  REQUIRE(eventually([&] {
    auto now = c.service->current_client();
    return c.contender->leading() && now && now->session_id() != old_session;
  }));
  CHECK(c.contender->revokes() >= 1);
  CHECK(c.contender->current() != first);
  CHECK(c.contender->protocol_violations() == 0);
}

namespace {

/// Pauses the server until `c`'s client noticed (suspended), then resumes it.
void pause_until_suspended(zk_test_server& server, const candidate& c) {
  server.pause();
  bool noticed = eventually(
    [&] {
      auto client = c.service->current_client();
      return client && client->state() == connection_state::suspended;
    },
    10s);
  server.resume();
  REQUIRE(noticed);
}

}  // namespace

TEST_CASE("leader election (real): server paused -> leadership revoked by default") {
  auto root = unique_root("paused");
  grant_counter counter;
  candidate plain(counter, "jm:1", real_factory(root, 3000));
  REQUIRE(eventually([&] { return plain.contender->leading(); }));
  auto first = plain.contender->current();
  pause_until_suspended(zk_test_server::shared(), plain);
  // The client saw the suspension; the service acts on it on its own thread right after.
  REQUIRE(eventually([&] { return !plain.service->has_leadership(first); }));
  REQUIRE(eventually([&] { return plain.contender->revokes() == 1; }));
  // Same session after the outage: the latch node is still first, so a new grant follows.
  REQUIRE(eventually([&] { return plain.contender->leading(); }));
  CHECK(plain.contender->current() != first);
  CHECK(plain.contender->protocol_violations() == 0);
}

TEST_CASE("leader election (real): server paused shorter than the session -> kept if tolerated") {
  auto root = unique_root("tolerated");
  grant_counter counter;
  leader_election_options tolerant;
  tolerant.tolerate_suspended_connections = true;
  // A 6 s session leaves 2 s of tolerance after the client noticed the silence.
  candidate patient(counter, "jm:2", real_factory(root, 6000), tolerant);
  REQUIRE(eventually([&] { return patient.contender->leading(); }));
  auto grant = patient.contender->current();
  pause_until_suspended(zk_test_server::shared(), patient);
  REQUIRE(eventually([&] {
    auto c = patient.service->current_client();
    return c && c->state() == connection_state::reconnected;
  }));
  CHECK(patient.service->has_leadership(grant));
  CHECK(patient.contender->revokes() == 0);
  CHECK(patient.contender->grants() == 1);
}

TEST_CASE("leader retrieval (real): follows the leader across a failover, each change once") {
  auto root = unique_root("retrieval");
  recording_listener listener;
  zk_leader_retrieval_service retrieval(real_factory(root));
  retrieval.start(&listener);
  REQUIRE(eventually([&] { return listener.last_is("|"); }));
  grant_counter counter;
  auto a = std::make_unique<candidate>(counter, "jm-a:1", real_factory(root));
  REQUIRE(eventually([&] { return a->contender->leading(); }));
  auto grant_a = a->contender->current();
  REQUIRE(eventually([&] { return listener.last_is("jm-a:1|" + grant_a); }));
  auto b = std::make_unique<candidate>(counter, "jm-b:1", real_factory(root));
  REQUIRE(eventually([&] { return !b->service->latch_node().empty(); }));
  a->service->stop();
  REQUIRE(eventually([&] { return b->contender->leading(); }));
  auto grant_b = b->contender->current();
  REQUIRE(eventually([&] { return listener.last_is("jm-b:1|" + grant_b); }));
  auto seen = listener.seen();
  for (std::size_t i = 1; i < seen.size(); ++i)
    CHECK(seen[i] != seen[i - 1]);
  seen.erase(std::remove(seen.begin() + 1, seen.end(), "|"), seen.end());
  CHECK(seen == std::vector<std::string>{"|", "jm-a:1|" + grant_a, "jm-b:1|" + grant_b});
}

TEST_CASE("leader election (real): server stopped and restarted -> one leader again, never two") {
  zk_test_server server;
  server.start();
  auto root = unique_root("restart");
  connect_options options;
  options.quorum = server.quorum();
  options.root = root;
  options.session_timeout_ms = 8000;
  options.connection_timeout_ms = 10000;
  auto factory = [options] { return client_ptr(real_zk_client::connect(options)); };
  grant_counter counter;
  std::vector<std::unique_ptr<candidate>> all;
  for (int i = 0; i < 3; ++i)
    all.push_back(std::make_unique<candidate>(counter, "jm-" + std::to_string(i), factory));
  REQUIRE(eventually([&] { return count_leaders(all) == 1; }));

  server.stop();
  // Default mode: the connection loss alone revokes.
  REQUIRE(eventually([&] { return count_leaders(all) == 0; }));
  server.start();
  REQUIRE(eventually([&] { return count_leaders(all) == 1; }));
  std::this_thread::sleep_for(100ms);
  CHECK(count_leaders(all) == 1);
  CHECK(counter.most == 1);
  auto observer = real_zk_client::connect(options);
  for (const auto& c : all)
    if (c->contender->leading())
      CHECK(eventually([&] { return leader_node_names(*observer, *c->contender); }));
  for (const auto& c : all)
    CHECK(c->contender->protocol_violations() == 0);
}
