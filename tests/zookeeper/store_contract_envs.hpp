// The implementations the store contract suites run against. Each environment makes store
// instances; instances of one environment share the backing state where the implementation
// has one (ZooKeeper + storage directory), so "a new JobManager" is just a new instance.
//
//   standalone_env  in-memory stores (no shared backing: `durable` is false)
//   fake_zk_env     ZooKeeper stores on the in-memory fake server
//   real_zk_env     ZooKeeper stores on a real server (the binary's shared test server, a
//                   root path of its own)
#pragma once

#include <memory>
#include <string>

#include "common/ids.hpp"
#include "stores/standalone/standalone_stores.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_checkpoint_id_counter.hpp"
#include "stores/zookeeper/zk_checkpoint_recovery_factory.hpp"
#include "stores/zookeeper/zk_completed_checkpoint_store.hpp"
#include "stores/zookeeper/zk_fake_client.hpp"
#include "stores/zookeeper/zk_real_client.hpp"
#include "stores/zookeeper/zk_submitted_job_graph_store.hpp"
#include "tests/zookeeper/store_contract_util.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/zk_test_server.hpp"

namespace fjord::test {

struct standalone_env {
  static constexpr const char* name = "standalone";
  static constexpr bool durable = false;

  std::unique_ptr<completed_checkpoint_store> checkpoint_store(const std::string&,
                                                               int retained) {
    return std::make_unique<standalone_completed_checkpoint_store>(retained);
  }
  std::unique_ptr<checkpoint_id_counter> counter(const std::string&) {
    return std::make_unique<standalone_checkpoint_id_counter>();
  }
};

/// What the ZooKeeper environments have in common; `Derived::new_client()` makes a session.
template <class Derived>
struct zk_env_base {
  static constexpr bool durable = true;

  testing::temp_dir dir;
  std::shared_ptr<file_state_storage> storage
    = std::make_shared<file_state_storage>(dir.file("recovery"));
  std::string checkpoints_path = "/checkpoints";
  std::string counter_path = "/checkpoint-counter";
  std::string jobgraphs_path = "/jobgraphs";

  /// The session shared by the instances this environment makes.
  zk::client_ptr client() {
    if (!client_)
      client_ = static_cast<Derived*>(this)->new_client();
    return client_;
  }

  /// The stores come from the recovery factory, as the JobManager gets them.
  zk_checkpoint_recovery_factory& factory() {
    if (!factory_)
      factory_ = std::make_unique<zk_checkpoint_recovery_factory>(
        client(), storage, checkpoints_path, counter_path, fast_retry());
    return *factory_;
  }
  std::unique_ptr<completed_checkpoint_store> checkpoint_store(const std::string& job,
                                                               int retained) {
    return factory().create_completed_checkpoint_store(job, retained);
  }
  std::unique_ptr<checkpoint_id_counter> counter(const std::string& job) {
    return factory().create_checkpoint_id_counter(job);
  }

  /// A job-graph store on `session` (default: the shared one); a second JobManager uses a
  /// session of its own (new_client()).
  std::unique_ptr<zk_submitted_job_graph_store> job_graph_store(zk::client_ptr session = {}) {
    return std::make_unique<zk_submitted_job_graph_store>(session ? session : client(),
                                                          jobgraphs_path, storage, fast_retry());
  }

  std::size_t files() { return list_files(storage->directory()).size(); }

 protected:
  zk::client_ptr client_;
  std::unique_ptr<zk_checkpoint_recovery_factory> factory_;
};

struct fake_zk_env : zk_env_base<fake_zk_env> {
  static constexpr const char* name = "fake ZooKeeper";

  std::shared_ptr<zk::fake_zk_server> server = std::make_shared<zk::fake_zk_server>();

  std::shared_ptr<zk::fake_zk_client> new_fake_client() {
    return std::make_shared<zk::fake_zk_client>(server);
  }
  zk::client_ptr new_client() { return new_fake_client(); }
  zk::fake_zk_client& fake() { return static_cast<zk::fake_zk_client&>(*client()); }
};

inline zk::client_ptr connect_real(const std::string& quorum, const std::string& root,
                                   std::int64_t session_timeout_ms = 4000) {
  zk::connect_options o;
  o.quorum = quorum;
  o.root = root;
  o.session_timeout_ms = session_timeout_ms;
  o.connection_timeout_ms = 10000;
  return zk::real_zk_client::connect(o);
}

struct real_zk_env : zk_env_base<real_zk_env> {
  static constexpr const char* name = "real ZooKeeper";

  std::string root = testing::unique_root("stores");

  zk::client_ptr new_client() {
    return connect_real(testing::zk_test_server::shared().quorum(), root);
  }
};

/// A real server of its own, so that a test can stop and start it under the stores.
struct restartable_zk_env : zk_env_base<restartable_zk_env> {
  static constexpr const char* name = "restartable real ZooKeeper";

  testing::zk_test_server server;
  std::string root = testing::unique_root("restart");

  restartable_zk_env() { server.start(); }
  zk::client_ptr new_client() { return connect_real(server.quorum(), root, 8000); }
};

}  // namespace fjord::test
