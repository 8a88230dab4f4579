// Sends every fenced request to a running JobManager over the middleman under SESSION — say
// the session of an earlier leader, as its clients and TaskManagers would still use it:
//   fencing_probe HOST:PORT SESSION JOB_ID
// Prints one line per request. Exit 0 if every request was refused (fenced, or "not the
// leader" from a standby), 1 if any was accepted or failed otherwise, 2 for bad arguments or
// no connection.
#include <cstdio>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/job_client.hpp"
#include "actors/runtime_config.hpp"
#include "actors/store_workers.hpp"
#include "messages/task_messages.hpp"

using namespace fjord;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: fencing_probe HOST:PORT SESSION JOB_ID\n");
    return 2;
  }
  std::string address = argv[1];
  std::string stale = argv[2];
  std::string job_id = argv[3];
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "fencing_probe: expected HOST:PORT, got '%s'\n", address.c_str());
    return 2;
  }
  runtime_config cfg{true};
  caf::actor_system sys{cfg};
  auto job_manager = sys.middleman().remote_actor<job_manager_endpoint_actor>(address.substr(0, colon),
                                                  std::stoi(address.substr(colon + 1)));
  if (!job_manager) {
    std::fprintf(stderr, "fencing_probe: cannot reach %s: %s\n", address.c_str(),
                 describe(job_manager.error()).c_str());
    return 2;
  }
  job_client client{sys, *job_manager, std::chrono::seconds(5)};
  client.use_session(stale);
  int accepted = 0;
  auto expect_fenced = [&](const char* what, const caf::error& e) {
    bool fenced = e == errc::fenced || e == errc::not_leader;
    std::printf("%s %s: %s\n", fenced ? "refused" : "NOT FENCED", what,
                e ? describe(e).c_str() : "accepted");
    accepted += fenced ? 0 : 1;
  };
  expect_fenced("status", client.status(job_id).error());
  expect_fenced("list", client.list().error());
  expect_fenced("cancel", client.cancel(job_id).error());
  expect_fenced("inject_task_failure", client.inject_failure(job_id, 1).error());
  job_graph graph;
  graph.name = "probe";
  graph.vertices.push_back(vertex_spec{});
  expect_fenced("submit", client.submit(graph).error());
  caf::scoped_actor self{sys};
  caf::error registration;
  self
    ->request(*job_manager, std::chrono::seconds(5),
              register_task_manager{stale, "fencing-probe",
                                    caf::actor_cast<task_manager_actor>(self), 8})
    .receive([&](const task_manager_registered&) {}, [&](caf::error& e) { registration = e; });
  expect_fenced("register_task_manager", registration);
  return accepted == 0 ? 0 : 1;
}
