// recovery.zookeeper.client.acl and auth.digest-file on a real ZooKeeper: under `creator` every
// znode Fjord creates (leader, latch, job graphs, checkpoints, counter, job results) refuses a
// session without an identity and one with another identity, for read and write; the cluster's
// identity works, also after its session expired; `open` stays as open as it was. And the
// configuration's errors: one line naming the key.
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "stores/zookeeper/ha_services_factory.hpp"
#include "stores/zookeeper/zk_config.hpp"
#include "stores/zookeeper/zk_leader_retrieval.hpp"
#include "stores/zookeeper/zk_real_client.hpp"
#include "stores/zookeeper/zk_reconnecting_client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_test_server.hpp"

using namespace fjord;
using namespace fjord::zk;

namespace {

const std::string job_id = "0123456789abcdef0123456789abcdef";

std::string write_file(const testing::temp_dir& dir, const std::string& name,
                       const std::string& content, mode_t mode = 0600) {
  auto path = dir.file(name);
  std::ofstream{path, std::ios::binary} << content;
  ::chmod(path.c_str(), mode);
  return path;
}

client_ptr session_as(const std::string& digest);

configuration cluster_config(const testing::temp_dir& dir, const std::string& root,
                             const std::string& acl) {
  // The roots' shared parent stays open for the other tests of this server: were it created
  // here under acl creator, no other test could create its root below it.
  if (root.rfind("/fjord-test/", 0) == 0)
    session_as("")->create_recursive("/fjord-test");
  configuration c;
  c.set("recovery.mode", "zookeeper");
  c.set("recovery.zookeeper.quorum", testing::zk_test_server::shared().quorum());
  c.set("recovery.zookeeper.path.root", root);
  c.set("recovery.zookeeper.storageDir", dir.file("recovery"));
  c.set("recovery.zookeeper.client.session-timeout", "4000");
  c.set("recovery.zookeeper.client.acl", acl);
  c.set("recovery.zookeeper.auth.digest-file", write_file(dir, "digest", "fjord:s3cret\n"));
  return c;
}

/// A session on the whole tree ("/" as root) with `digest` as identity (none if empty).
client_ptr session_as(const std::string& digest) {
  connect_options o;
  o.quorum = testing::zk_test_server::shared().quorum();
  o.root = "/";
  o.session_timeout_ms = 4000;
  o.connection_timeout_ms = 10000;
  o.digest = digest;
  return real_zk_client::connect(o);
}

error_code code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const zk_error& e) {
    return e.code();
  }
  return error_code::ok;
}

/// Every node at and below `path`, read by `c` (which must be allowed to).
void collect(client& c, const std::string& path, std::vector<std::string>& out) {
  out.push_back(path);
  for (auto& name : c.children(path).names)
    collect(c, path + "/" + name, out);
}

class confirming_contender : public leader_contender {
 public:
  explicit confirming_contender(leader_election_service& service) : service_(service) {}
  void grant_leadership(const std::string& session) override {
    service_.confirm_leadership(session, "127.0.0.1:6123");
    std::lock_guard<std::mutex> lock(mutex_);
    granted_ = session;
  }
  void revoke_leadership() override {}
  void handle_error(const std::string&) override {}
  bool granted() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !granted_.empty();
  }

 private:
  leader_election_service& service_;
  std::mutex mutex_;
  std::string granted_;
};

class recording_retrieval : public leader_retrieval_listener {
 public:
  void notify_leader_address(const std::string& address, const std::string&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    address_ = address;
  }
  void handle_error(const std::string& message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = message;
  }
  std::string address() {
    std::lock_guard<std::mutex> lock(mutex_);
    return address_;
  }
  std::string error() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

 private:
  std::mutex mutex_;
  std::string address_;
  std::string error_;
};

/// A cluster's worth of znodes made through the HA services, as a JobManager makes them: the
/// leader latch and /leader, a job graph, a checkpoint, the counter and a job result.
struct populated_cluster {
  testing::temp_dir dir{"fjord-acl"};
  std::string root = testing::unique_root("acl");
  configuration config;
  ha_services services;
  std::unique_ptr<confirming_contender> contender;
  std::unique_ptr<completed_checkpoint_store> checkpoints;
  std::unique_ptr<checkpoint_id_counter> counter;

  explicit populated_cluster(const std::string& acl) : config(cluster_config(dir, root, acl)) {
    services = make_ha_services(config);
    contender = std::make_unique<confirming_contender>(*services.election);
    services.election->start(contender.get());
    REQUIRE(testing::eventually([&] { return contender->granted(); }));
    services.job_graphs->start(nullptr);
    submitted_job_graph g;
    g.graph.job_id = job_id;
    g.graph.name = "acl";
    services.job_graphs->put(g);
    checkpoints = services.checkpoint_recovery->create_completed_checkpoint_store(job_id, 2);
    completed_checkpoint cp;
    cp.job_id = job_id;
    cp.checkpoint_id = 1;
    checkpoints->add(cp);
    counter = services.checkpoint_recovery->create_checkpoint_id_counter(job_id);
    counter->start();
    counter->get_and_increment();
    services.job_results->put({job_id, job_state::finished, 1, ""});
  }
  ~populated_cluster() {
    services.job_graphs->stop();
    services.election->stop();
  }
  std::string client_root() const { return root + "/default"; }

  /// Every znode below the client root, listed by the cluster's own identity.
  std::vector<std::string> nodes() {
    auto own = session_as("fjord:s3cret");
    REQUIRE(testing::eventually([&] { return own->exists(client_root() + "/leader").has_value(); }));
    std::vector<std::string> out;
    collect(*own, client_root(), out);
    return out;
  }
};

bool contains(const std::vector<std::string>& nodes, const std::string& suffix) {
  for (auto& n : nodes)
    if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

/// The warnings logged while it lives (the default logger is swapped for a recording one).
class captured_warnings {
 public:
  captured_warnings() : previous_(spdlog::default_logger()) {
    sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
  }
  ~captured_warnings() { spdlog::set_default_logger(previous_); }
  std::string text() {
    std::string out;
    for (auto& line : sink_->last_formatted())
      out += line;
    return out;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

std::string config_error_of(const configuration& c) {
  try {
    zookeeper_settings::from(c);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("zk acl creator: a stranger and another identity get no_auth on every read and write "
          "of Fjord's znodes; the cluster's identity may do all") {
  populated_cluster cluster("creator");
  auto nodes = cluster.nodes();
  // The cluster is all there: what a stranger wants.
  for (std::string suffix : std::vector<std::string>{"/default", "/leader", "/leaderlatch", "/jobgraphs/" + job_id,
                      "/checkpoints/" + job_id, "/checkpoint-counter/" + job_id,
                      "/job-results/" + job_id})
    CHECK_MESSAGE(contains(nodes, suffix), suffix);
  CHECK(nodes.size() >= 10);

  auto stranger = session_as("");
  auto other = session_as("mallory:guess");
  for (auto* who : {stranger.get(), other.get()}) {
    for (auto& node : nodes) {
      INFO(node);
      CHECK(code_of([&] { who->get(node); }) == error_code::no_auth);
      CHECK(code_of([&] { who->children(node); }) == error_code::no_auth);
      CHECK(code_of([&] { who->set(node, "forged", -1); }) == error_code::no_auth);
      CHECK(code_of([&] { who->create(node + "/forged", "", create_mode::persistent); })
            == error_code::no_auth);
      // Deleting is a right on the parent, which Fjord created too.
      CHECK(code_of([&] { who->remove(node, -1); }) == error_code::no_auth);
      CHECK(code_of([&] { who->multi({op::set(node, "forged")}); }) == error_code::no_auth);
    }
  }
  // The cluster's identity (any session of it) reads and writes.
  auto own = session_as("fjord:s3cret");
  for (auto& node : nodes)
    CHECK(code_of([&] { own->get(node); }) == error_code::ok);
  CHECK(own->create(cluster.client_root() + "/probe", "", create_mode::persistent)
        == cluster.client_root() + "/probe");
  own->remove(cluster.client_root() + "/probe");
  // The stores still work after all that.
  auto again = cluster.services.checkpoint_recovery->create_completed_checkpoint_store(job_id, 2);
  again->recover();
  REQUIRE(again->latest());
  CHECK(again->latest()->checkpoint_id == 1);
}

TEST_CASE("zk acl creator: leader retrieval with the identity follows the leader; without one "
          "it reports that it is not authorized") {
  populated_cluster cluster("creator");
  auto settings = zookeeper_settings::from(cluster.config);
  recording_retrieval with_identity;
  auto retrieval = make_leader_retrieval(cluster.config);
  retrieval->start(&with_identity);
  CHECK(testing::eventually([&] { return with_identity.address() == "127.0.0.1:6123"; }));
  retrieval->stop();

  auto options = settings.to_connect_options();
  options.digest.clear();
  options.acl = acl_mode::open;
  recording_retrieval stranger;
  zk_leader_retrieval_service anonymous([options] { return real_zk_client::connect(options); },
                                        settings.leader_path, 100);
  anonymous.start(&stranger);
  CHECK(testing::eventually([&] { return !stranger.error().empty(); }));
  CHECK(stranger.error().find("not authorized") != std::string::npos);
  CHECK(stranger.address().empty());
  anonymous.stop();
}

TEST_CASE("zk acl creator: a session re-created after expiry authenticates before use") {
  testing::temp_dir dir{"fjord-acl"};
  auto settings = zookeeper_settings::from(
    cluster_config(dir, testing::unique_root("acl-expiry"), "creator"));
  auto factory = make_client_factory(settings);
  std::vector<std::shared_ptr<real_zk_client>> made;
  std::mutex made_mutex;
  reconnecting_client client([&] {
    auto c = factory();
    std::lock_guard<std::mutex> lock(made_mutex);
    made.push_back(std::static_pointer_cast<real_zk_client>(c));
    return c;
  });
  client.create("/node", "v1", create_mode::persistent);
  made.front()->kill_session_for_testing();
  // The next call runs on a new session: it may read and write the creator-only node.
  CHECK(client.get("/node", {})->data == "v1");
  client.set("/node", "v2", -1);
  {
    std::lock_guard<std::mutex> lock(made_mutex);
    CHECK(made.size() == 2);
  }
  auto stranger = session_as("");
  CHECK(code_of([&] { stranger->get(settings.client_root() + "/node"); }) == error_code::no_auth);
}

TEST_CASE("zk acl open: today's behaviour, a stranger reads and writes Fjord's znodes") {
  populated_cluster cluster("open");
  auto nodes = cluster.nodes();
  auto stranger = session_as("");
  for (auto& node : nodes) {
    INFO(node);
    CHECK(code_of([&] { stranger->get(node); }) == error_code::ok);
  }
  auto leader = cluster.client_root() + "/leader";
  auto stat = stranger->set(leader, stranger->get(leader)->data, -1);
  CHECK(stat.version >= 1);
}

TEST_CASE("zk acl config: bad values and digest files are one-line errors naming the key") {
  testing::temp_dir dir{"fjord-acl"};
  auto c = cluster_config(dir, "/fjord", "creator");
  auto s = zookeeper_settings::from(c);
  CHECK(s.acl == acl_mode::creator);
  CHECK(s.digest == "fjord:s3cret");
  CHECK(s.to_connect_options().digest == "fjord:s3cret");
  CHECK(s.to_connect_options().acl == acl_mode::creator);

  configuration plain;
  plain.set("recovery.zookeeper.quorum", "localhost:2181");
  plain.set("recovery.zookeeper.storageDir", dir.file("r"));
  CHECK(zookeeper_settings::from(plain).acl == acl_mode::open);
  CHECK(zookeeper_settings::from(plain).digest.empty());

  auto with = [&](const std::string& key, const std::string& value) {
    auto copy = c;
    copy.set(key, value);
    return config_error_of(copy);
  };
  auto error = with("recovery.zookeeper.client.acl", "world");
  CHECK(error.find("recovery.zookeeper.client.acl: 'world' is not an ACL") != std::string::npos);
  auto no_file = c;
  no_file.set("recovery.zookeeper.auth.digest-file", "");
  CHECK(config_error_of(no_file).find("creator needs an identity: set "
                                      "recovery.zookeeper.auth.digest-file")
        != std::string::npos);
  error = with("recovery.zookeeper.auth.digest-file", dir.file("missing"));
  CHECK(error.find("recovery.zookeeper.auth.digest-file: cannot read") != std::string::npos);
  CHECK(error.find("No such file") != std::string::npos);
  error = with("recovery.zookeeper.auth.digest-file", dir.str());
  CHECK(error.find("is not a regular file") != std::string::npos);
  for (auto bad : {"", "no-colon", ":password", "user:", "user:pass word", "user:pw\nsecond",
                   "user:pw\x01"}) {
    INFO(bad);
    error = with("recovery.zookeeper.auth.digest-file", write_file(dir, "bad", bad));
    CHECK(error.find("recovery.zookeeper.auth.digest-file: '" + dir.file("bad")
                     + "' must hold one line user:password")
          != std::string::npos);
    // The secret never shows in the message.
    CHECK(error.find("pass word") == std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
  }
  error = with("recovery.zookeeper.auth.digest-file",
               write_file(dir, "huge", "u:" + std::string(5000, 'p')));
  CHECK(error.find("larger than 4 KiB") != std::string::npos);
  // A CRLF line and a file others can read are accepted, the latter with a warning.
  auto crlf = c;
  crlf.set("recovery.zookeeper.auth.digest-file", write_file(dir, "crlf", "u:p\r\n", 0644));
  captured_warnings log;
  CHECK(zookeeper_settings::from(crlf).digest == "u:p");
  CHECK(log.text().find("is readable by group or others (mode 644): chmod 600 it")
        != std::string::npos);
  CHECK(log.text().find("u:p") == std::string::npos);  // never the secret
  auto quiet = log.text().size();
  zookeeper_settings::from(c);  // 0600: no warning
  CHECK(log.text().size() == quiet);
}

TEST_CASE("zk acl: acl creator without an identity is refused at connect") {
  // (ZooKeeper's digest scheme accepts any text as an identity, so a refused zoo_add_auth is
  // not something a test server can be made to answer.)
  connect_options o;
  o.quorum = testing::zk_test_server::shared().quorum();
  o.root = testing::unique_root("acl-refused");
  o.connection_timeout_ms = 5000;
  o.acl = acl_mode::creator;
  CHECK(code_of([&] { real_zk_client::connect(o); }) == error_code::bad_arguments);
}
