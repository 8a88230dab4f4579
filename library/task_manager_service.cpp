// fjord::task_manager_service (include/fjord/cluster_services.hpp): what `fjord taskmanager`
// runs, in any actor system.
//
// Data path keys (integers >= 1): taskmanager.network.batch-size (records per batch, default
// 4096), taskmanager.network.credits (batches in flight per input channel, default 4) and
// taskmanager.network.max-pending-batches (per output channel before a task stops producing,
// default 2).
#include <fjord/cluster_services.hpp>

#include <stdexcept>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/detail/job_admission.hpp"
#include "actors/task_manager.hpp"
#include "actors/transport.hpp"
#include "messages/atoms.hpp"
#include "messages/internal_messages.hpp"
#include "stores/leader_election.hpp"
#include "stores/zookeeper/ha_services_factory.hpp"

namespace fjord {

namespace {

/// `taskmanager.network.*`: the data path between tasks (actors/task.hpp). Throws config_error
/// naming the key for a bad value.
task_options network_options(const configuration& config) {
  task_options t;
  // Batches of 4096 records, not 512 as embedded: between TaskManager processes the cost is per
  // message (BASP framing, wake-ups, the credit back); it cut the CPU per record of the
  // 2-TaskManager benchmark by about a third, while more credits or pending batches cost the
  // 1-TaskManager cluster (BENCHMARKS.md section 8).
  t.batch_size = 4096;
  auto read = [&](const char* key, std::int64_t fallback, std::int64_t max) {
    auto v = config.get_int(key, fallback);
    if (v < 1 || v > max)
      throw config_error(std::string{key} + ": expected an integer from 1 to "
                         + std::to_string(max) + ", got " + std::to_string(v));
    return v;
  };
  t.batch_size = static_cast<std::size_t>(
    read("taskmanager.network.batch-size", static_cast<std::int64_t>(t.batch_size), 1 << 20));
  t.initial_credits = static_cast<std::int32_t>(
    read("taskmanager.network.credits", t.initial_credits, 1024));
  t.max_pending_batches = static_cast<std::size_t>(read(
    "taskmanager.network.max-pending-batches", static_cast<std::int64_t>(t.max_pending_batches),
    1024));
  return t;
}

/// Leader retrieval callbacks run on the retrieval thread: only enqueue.
class forward_to_task_manager : public leader_retrieval_listener {
 public:
  explicit forward_to_task_manager(task_manager_actor tm) : tm_(std::move(tm)) {}
  void notify_leader_address(const std::string& address, const std::string& session) override {
    // In the TaskManager's own name: it takes leader announcements from itself only, and the
    // message type cannot be decoded from the network (messages/internal_messages.hpp).
    caf::send_as(tm_, tm_, leader_announcement{address, session});
  }
  void handle_error(const std::string& message) override {
    spdlog::error("leader retrieval failed: {}", message);
  }

 private:
  task_manager_actor tm_;
};

}  // namespace

struct task_manager_service::impl {
  caf::actor_system& sys;
  std::string id;
  task_manager_actor task_manager;
  std::unique_ptr<leader_retrieval_service> retrieval;
  std::unique_ptr<forward_to_task_manager> listener;
};

task_manager_service::task_manager_service(caf::actor_system& sys, const configuration& config,
                                           int slots, std::string id) {
  config.check_keys();
  check_transport(sys, config);
  if (slots < 1)
    throw config_error("slots: must be at least 1, got " + std::to_string(slots));
  auto max_slots = config.get_int("taskmanager.max-slots", job_limits{}.max_task_manager_slots);
  if (slots > max_slots)  // the JobManager would refuse the registration
    throw config_error("slots: " + std::to_string(slots) + " is more than taskmanager.max-slots ("
                       + std::to_string(max_slots) + ")");
  auto tasks = network_options(config);
  tasks.file_roots = file_roots::from(config);
  if (tasks.file_roots.unrestricted())
    spdlog::warn("taskmanager.file-roots is not set: jobs may read and write any file this "
                 "TaskManager's user can");
  auto retrieval = make_leader_retrieval(config);
  task_manager_options options;
  options.id = id.empty() ? "tm-" + std::to_string(getpid()) : std::move(id);
  options.slots = slots;
  options.tasks = tasks;
  // The data endpoint: other TaskManagers connect here, so that records between tasks on two
  // TaskManagers never pass through the JobManager. taskmanager.host is announced,
  // taskmanager.bind-host is listened on (default: the same).
  options.data_host = config.get_string("taskmanager.host", "127.0.0.1");
  auto bind = config.get_string("taskmanager.bind-host", options.data_host);
  auto wanted = config.get_int("taskmanager.data.port", 0);
  if (wanted < 0 || wanted > 65535)
    throw config_error("taskmanager.data.port: expected 0 to 65535, got "
                       + std::to_string(wanted));
  auto opened = open_port(sys, static_cast<std::uint16_t>(wanted), bind);
  if (!opened)
    throw std::runtime_error("taskmanager.bind-host: cannot listen on " + bind + ":"
                             + std::to_string(wanted) + ": " + sys.render(opened.error()));
  options.data_port = *opened;
  auto tm = spawn_cluster_task_manager(sys, options);
  spdlog::info("task manager {}: data endpoint {}:{} (listening on {}, {})", options.id,
               options.data_host, options.data_port, bind,
               uses_tls(sys) ? "mutual TLS" : "plain TCP");
  warn_if_plaintext(sys, "this TaskManager's data endpoint (" + bind + ":"
                           + std::to_string(options.data_port) + ")");
  spdlog::info("task manager {} started with {} slot(s)", options.id, slots);
  auto listener = std::make_unique<forward_to_task_manager>(tm);
  try {
    retrieval->start(listener.get());
  } catch (const std::exception& e) {
    caf::anon_send_exit(tm, caf::exit_reason::user_shutdown);
    throw std::runtime_error(std::string{"leader retrieval cannot start: "} + e.what());
  }
  impl_ = std::make_unique<impl>(
    impl{sys, options.id, tm, std::move(retrieval), std::move(listener)});
}

task_manager_service::~task_manager_service() {
  stop();
  impl_->retrieval->stop();  // no callback into the listener after this
}

const std::string& task_manager_service::id() const {
  return impl_->id;
}

void task_manager_service::stop() {
  caf::anon_send_exit(impl_->task_manager, caf::exit_reason::user_shutdown);
}

void task_manager_service::await_stop() {
  caf::scoped_actor self{impl_->sys};
  self->monitor(impl_->task_manager);
  self->receive([](caf::down_msg&) {});
}

}  // namespace fjord
