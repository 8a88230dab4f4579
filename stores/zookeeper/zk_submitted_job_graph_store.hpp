// The job graphs of the cluster in ZooKeeper: <jobgraphs>/<job id> -> file with the
// submitted_job_graph (zk_state_handle_store). put() writes the file, then the znode, and
// returns only when both are durable.
//
// Ownership: a store instance may replace or remove only graphs it added or recovered itself
// (its "owned" set); putting a job id that exists but is not owned is refused with
// store_error(conflict) naming the job, so two JobManagers never overwrite each other. A put
// that failed with an unknown outcome (connection lost) is remembered: if the znode turns out
// to hold exactly that graph, a later put or remove claims it as its own.
//
// Race detection: after start(), a child watch on the jobgraphs node (re-armed on every event)
// feeds a small background thread that lists the children and compares them with the previous
// listing: a graph added that this instance does not own -> on_added_job_graph; a graph this
// instance owns that disappeared without its own remove() -> on_removed_job_graph. The watch
// callback itself only sets a flag (it runs on the client's event thread); the listener is
// called from the background thread without any lock held.
//
// A lost session drops the watch without firing it. So start() takes the client's connection
// listener (a client serves one; the stores' shared client has no other user of it): when the
// session expired or the connection came back, the background thread lists the children again
// (a reconnecting client renews the session for that call), which re-arms the watch and reports
// whatever was added or removed meanwhile.
//
// Thread-safety: every method may be called from any thread (one mutex serializes them), so the
// store worker and the background thread can share it.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "stores/submitted_job_graph_store.hpp"
#include "stores/zookeeper/zk_state_handle_store.hpp"

namespace fjord {

class zk_submitted_job_graph_store : public submitted_job_graph_store {
 public:
  /// `jobgraphs_path` is the znode whose children are the job graphs ("/jobgraphs").
  zk_submitted_job_graph_store(zk::client_ptr client, std::string jobgraphs_path,
                               std::shared_ptr<file_state_storage> storage,
                               zk::retry_policy retry = {});
  ~zk_submitted_job_graph_store() override;

  zk_submitted_job_graph_store(const zk_submitted_job_graph_store&) = delete;
  zk_submitted_job_graph_store& operator=(const zk_submitted_job_graph_store&) = delete;

  /// Creates the jobgraphs node if missing, takes the current children as known (no
  /// notifications for them) and starts watching; installs the client's connection listener.
  /// Idempotent. Throws store_error.
  void start(job_graph_listener* listener) override;
  /// Stops watching and joins the background thread; the listener is not called afterwards.
  /// Keeps every graph. Idempotent.
  void stop() override;

  void put(const submitted_job_graph& graph) override;
  std::optional<submitted_job_graph> recover(const std::string& job_id) override;
  recovered_job_graphs recover_all() override;
  void remove(const std::string& job_id) override;
  /// Every job id in ZooKeeper (owned or not), sorted.
  std::vector<std::string> job_ids() override;

  /// The job ids this instance added or recovered.
  std::set<std::string> owned_job_ids();

  const std::string& root() const { return handles_.root(); }

  struct watch_state;

 private:
  void own(const std::string& job_id);
  /// After a put whose outcome was unknown: true (and now owned) if the znode holds exactly
  /// the graph that put tried to write. Requires the ops lock.
  bool claim_uncertain(const std::string& job_id);

  zk::client_ptr client_;
  zk_state_handle_store<submitted_job_graph> handles_;
  std::shared_ptr<watch_state> watch_;
};

}  // namespace fjord
