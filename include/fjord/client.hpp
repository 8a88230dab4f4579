// A client of a Fjord cluster: submit a job, ask for its status, list, cancel, wait for the end.
// Get one from a local_cluster (fjord/local_cluster.hpp) or connect to a cluster of processes:
//
//   fjord::configuration config = fjord::configuration::load_file("fjord.yaml");
//   auto client = fjord::client::connect(sys, config);   // sys needs fjord::add_networking
//   if (!client) { std::cerr << fjord::describe(client.error()) << "\n"; return 1; }
//   auto id = client->submit(job);
//   auto end = client->wait(*id, std::chrono::minutes{10});
//
// Every call blocks the calling thread (never call it from inside an actor) and returns
// caf::expected: the error is a fjord::errc (fjord/errc.hpp) or a CAF system error (timeouts,
// lost connections). A connected client follows leader changes of an HA cluster.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <fjord/configuration.hpp>
#include <fjord/errc.hpp>
#include <fjord/job.hpp>
#include <fjord/job_status.hpp>

namespace fjord {

class client {
 public:
  /// Finds the leading JobManager of the cluster `config` describes — `jobmanager.address` in
  /// standalone mode, `recovery.zookeeper.*` in zookeeper mode (the keys of a JobManager's
  /// configuration file) — and connects to it within `timeout`. errc::not_leader when none
  /// was found, its context says where it looked. Throws config_error for bad settings.
  static caf::expected<client> connect(caf::actor_system& sys, const configuration& config,
                                       std::chrono::milliseconds timeout = std::chrono::seconds{30});

  /// Submits the job and returns its id once the JobManager persisted it. After an unknown
  /// outcome (a lost answer, a leader change) the submission is confirmed or retried under
  /// the same id: the job runs once.
  caf::expected<std::string> submit(const job& j);
  caf::expected<job_status_report> status(const std::string& job_id);
  caf::expected<std::vector<job_status_report>> list();
  caf::expected<job_status_report> cancel(const std::string& job_id);
  /// Waits until the job finished, was canceled or failed; caf::sec::request_timeout after
  /// `timeout`.
  caf::expected<job_status_report> wait(const std::string& job_id,
                                        std::chrono::milliseconds timeout);

  /// How long one call waits for its answer (and, after a leader change, for a new leader).
  void set_timeout(std::chrono::milliseconds timeout);

  struct impl;  ///< Fjord's own code
  explicit client(std::shared_ptr<impl> state);

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace fjord
