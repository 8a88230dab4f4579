#include "actors/task_manager.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/errors.hpp"
#include "actors/plugin_installer.hpp"
#include "actors/transport.hpp"
#include "plugins/plugin_loader.hpp"
#include "actors/store_workers.hpp"
#include "common/host_port.hpp"
#include "common/ids.hpp"
#include "messages/atoms.hpp"
#include "messages/client_messages.hpp"
#include "messages/internal_messages.hpp"
#include "fjord/job_status.hpp"
#include "messages/task_messages.hpp"

namespace fjord {

namespace {

struct running_task {
  std::string job_id;
  std::int32_t attempt = 0;
  task_actor handle;
};

struct task_manager_state {
  task_manager_options options;
  job_manager_endpoint_actor job_manager;
  std::string session;  ///< the leader session we registered under
  bool registered = false;
  bool cluster = false;           ///< follows leader_announcement messages
  std::string leader_address;     ///< cluster: the announced leader
  std::string announced_session;  ///< cluster: the announced leader session
  std::uint64_t generation = 0;   ///< bumped on every leader change; stale replies are dropped
  std::map<caf::actor_addr, running_task> tasks;
  /// Operator plugins by SHA-256: loaded ones, and the deployments waiting for one being
  /// fetched and installed (each gets the outcome).
  std::map<std::string, std::shared_ptr<const loaded_plugin>> plugins;
  std::map<std::string, std::vector<std::function<void(const caf::error&)>>> plugins_pending;
  /// The operators of a job with these plugins: the built-ins, then each plugin's.
  std::map<std::vector<std::string>, std::shared_ptr<const operator_registry>> registries;
  caf::actor installer;  ///< spawned on the first plugin
  /// Peer links being waited for (await_direct_link), resumed by (poll_atom, id).
  std::map<std::uint64_t, std::function<void()>> link_waits;
  std::uint64_t next_link_wait = 0;
  /// Messages dropped because they did not come from this actor itself; when last logged.
  std::int64_t dropped = 0;
  std::chrono::steady_clock::time_point dropped_logged{};
  std::string last_refusal;  ///< the last registration refusal logged (each is logged once)
  static inline const char* name = "fjord.task_manager";
};

using tm_actor = task_manager_actor::stateful_base<task_manager_state>;

void kill_tasks(tm_actor* self, const std::string& job_id, std::int32_t max_attempt) {
  auto& st = self->state;
  for (auto& [addr, task] : st.tasks)
    if (job_id.empty() || (task.job_id == job_id && task.attempt <= max_attempt))
      self->send_exit(task.handle, caf::exit_reason::kill);
}

void connect_to_leader(tm_actor* self);

/// True if the message being handled was sent by this TaskManager itself (its retries and
/// polls; leader retrieval sends in its name). Anything else is dropped with a warning, at most
/// one a second.
bool from_self(tm_actor* self, const char* what) {
  if (self->current_sender() == self->ctrl())
    return true;
  auto& st = self->state;
  ++st.dropped;
  auto now = std::chrono::steady_clock::now();
  if (st.dropped == 1 || now - st.dropped_logged >= std::chrono::seconds(1)) {
    auto sender = caf::actor_cast<caf::actor_addr>(self->current_sender());
    spdlog::warn("task manager {}: dropped a {} from {}: only it sends those itself ({} dropped "
                 "in all)",
                 st.options.id, what,
                 sender ? caf::to_string(sender) : std::string{"an anonymous sender"},
                 st.dropped);
    st.dropped_logged = now;
  }
  return false;
}

/// Calls `done` once plugin `sha256` of `job_id` is loaded (fetched from the JobManager,
/// verified, cached and loaded off this actor's thread by the installer), or with the error.
void ensure_plugin(tm_actor* self, const std::string& job_id, const std::string& sha256,
                   std::function<void(const caf::error&)> done) {
  auto& st = self->state;
  if (st.plugins.count(sha256) > 0) {
    done(caf::error{});
    return;
  }
  auto& waiting = st.plugins_pending[sha256];
  waiting.push_back(std::move(done));
  if (waiting.size() > 1)
    return;  // being fetched already
  if (!st.installer) {
    st.installer = spawn_plugin_installer(self->system(), st.options.plugin_cache_dir.empty()
                                                            ? default_plugin_cache_dir()
                                                            : st.options.plugin_cache_dir);
    self->link_to(st.installer);
  }
  auto finish = [=](const caf::error& e) {
    auto& st = self->state;
    auto callbacks = std::move(st.plugins_pending[sha256]);
    st.plugins_pending.erase(sha256);
    if (e)
      spdlog::error("job {}: plugin {} cannot be used ({} task(s) refused): {}", short_id(job_id),
                    sha256.substr(0, 12), callbacks.size(), describe(e));
    for (auto& f : callbacks)
      f(e);
  };
  self->request(st.job_manager, std::chrono::seconds(60), fetch_plugin{st.session, job_id, sha256})
    .then(
      [=](std::string& bytes) {
        self->request(self->state.installer, std::chrono::seconds(60), install_atom::value,
                      sha256, std::move(bytes))
          .then(
            [=](std::shared_ptr<const loaded_plugin>& plugin) {
              self->state.plugins[sha256] = std::move(plugin);
              finish(caf::error{});
            },
            [=](caf::error& e) { finish(e); });
      },
      [=](caf::error& e) {
        finish(with_context("fetching plugin " + sha256.substr(0, 12) + ": ", e));
      });
}

/// The registry a task with these (loaded) plugins looks its operators up in.
std::shared_ptr<const operator_registry> registry_for(task_manager_state& st,
                                                      const std::vector<std::string>& plugins) {
  if (plugins.empty())
    return nullptr;
  auto& cached = st.registries[plugins];
  if (!cached) {
    auto merged = std::make_shared<operator_registry>(operator_registry::global());
    for (auto& sha : plugins) {
      auto& ops = st.plugins.at(sha)->operators();
      for (auto& name : ops.names())
        merged->add(*ops.find(name));
    }
    cached = std::move(merged);
  }
  return cached;
}

task_actor start_task(tm_actor* self, const task_deployment& d) {
  auto& st = self->state;
  auto task = spawn_task(self->system(), st.session, d, st.options.tasks,
                         registry_for(st, d.plugins));
  self->monitor(task);
  st.tasks[task.address()] = {d.job_id, d.attempt, task};
  return task;
}

/// Loads the deployment's plugins one after the other, then starts the task (if the leader
/// session did not change meanwhile).
void deploy_with_plugins(tm_actor* self, task_deployment d, std::size_t next,
                         caf::typed_response_promise<task_actor> rp) {
  auto& st = self->state;
  if (next == d.plugins.size()) {
    rp.deliver(start_task(self, d));
    return;
  }
  auto generation = st.generation;
  auto sha = d.plugins[next];
  ensure_plugin(self, d.job_id, sha, [=](const caf::error& e) mutable {
    if (self->state.generation != generation) {
      rp.deliver(make_error(errc::fenced, "the leader changed while plugins were loaded"));
      return;
    }
    if (e) {
      rp.deliver(e);
      return;
    }
    deploy_with_plugins(self, std::move(d), next + 1, rp);
  });
}

void try_register(tm_actor* self) {
  auto& st = self->state;
  auto generation = st.generation;
  auto retry = [=] {
    self->delayed_send(self, std::chrono::milliseconds{self->state.options.registration_retry_ms},
                       retry_atom::value, generation);
  };
  if (!st.job_manager)
    return st.cluster ? connect_to_leader(self) : void();
  self->request(st.job_manager, std::chrono::seconds(5), leader_atom::value)
    .then(
      [=](const std::string& session) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        // Fencing: in a cluster, register only under the session announced by retrieval. In
        // standalone mode retrieval announces the fixed address without a session (there is
        // one JobManager, leader for good): its own session is the one.
        if (session.empty()
            || (st.cluster && !st.announced_session.empty() && session != st.announced_session))
          return retry();
        self->request(st.job_manager, std::chrono::seconds(5),
                      register_task_manager{session, st.options.id,
                                            caf::actor_cast<task_manager_actor>(self),
                                            st.options.slots, st.options.data_host,
                                            st.options.data_port})
          .then(
            [=](const task_manager_registered& reply) {
              auto& st = self->state;
              if (generation != st.generation)
                return;
              if (!st.registered || st.session != reply.leader_session)
                spdlog::info("task manager {} registered with the leader (session {})",
                             st.options.id, reply.leader_session);
              st.session = reply.leader_session;
              st.registered = true;
              st.last_refusal.clear();
            },
            [=](caf::error& e) {
              // Refused for what it offers (its id is taken, too many slots): the operator has
              // to know. Retried all the same: a taken id is free again once its owner is down.
              auto code = errc_of(e);
              auto& st = self->state;
              if (code == errc::already_exists || code == errc::invalid_argument) {
                if (describe(e) != st.last_refusal)  // once, not on every retry
                  spdlog::warn("task manager {}: registration refused: {}", st.options.id,
                               describe(e));
                st.last_refusal = describe(e);
              } else
                spdlog::debug("task manager {}: registration failed: {}", self->state.options.id,
                              describe(e));
              retry();
            });
      },
      [=](caf::error&) { retry(); });
}

/// Cluster mode: connect to the announced leader address without blocking (the middleman
/// actor connects for us), then register.
void connect_to_leader(tm_actor* self) {
  auto& st = self->state;
  auto generation = st.generation;
  if (st.leader_address.empty())
    return;
  auto parsed = parse_host_port(st.leader_address);
  if (!parsed.value) {
    spdlog::error("task manager {}: ignoring the announced leader address: {}", st.options.id,
                  parsed.error);
    return;
  }
  auto host = parsed.value->host;
  auto port = parsed.value->port;
  self->request(transport_actor(self->system()), std::chrono::seconds(10),
                caf::connect_atom::value, host, static_cast<std::uint16_t>(port))
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        if (!ptr) {
          self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                             retry_atom::value, generation);
          return;
        }
        st.job_manager = caf::actor_cast<job_manager_endpoint_actor>(ptr);
        self->monitor(st.job_manager);
        try_register(self);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (generation != st.generation)
          return;
        spdlog::debug("task manager {}: cannot reach the leader at {}: {}", st.options.id,
                      st.leader_address, describe(e));
        self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                           retry_atom::value, generation);
      });
}

/// Asks the middleman whether this node has a direct connection to `node`; `then(bool)`.
void if_direct(tm_actor* self, const caf::node_id& node, std::function<void(bool)> then) {
  self->request(self->system().middleman().actor_handle(), std::chrono::seconds(5),
                caf::get_atom::value, node)
    .then([=](const caf::node_id&, const std::string& address,
              std::uint16_t) { then(!address.empty()); },
          [=](caf::error&) { then(false); });
}

/// Waits (polling every 20 ms) until the link to `peer` is direct, or the deadline passed.
void await_direct_link(tm_actor* self, data_endpoint peer,
                       std::chrono::steady_clock::time_point deadline,
                       std::function<void(const caf::error&)> done) {
  auto node = peer.task_manager.node();
  if_direct(self, node, [=](bool direct) {
    if (direct)
      return done(caf::error{});
    if (std::chrono::steady_clock::now() > deadline)
      return done(make_error(errc::no_route,
                             "no direct connection to task manager " + peer.task_manager_id
                               + " at " + peer.host + ":" + std::to_string(peer.port)));
    auto id = ++self->state.next_link_wait;
    self->state.link_waits[id] = [=] { await_direct_link(self, peer, deadline, done); };
    self->delayed_send(self, std::chrono::milliseconds(20), poll_atom::value, id);
  });
}

/// Links this TaskManager directly to `peer` (see connect_peers): connects if its node id is
/// the smaller one, else waits for the peer's connection. `done` gets the outcome.
void link_to_peer(tm_actor* self, data_endpoint peer,
                  std::function<void(const caf::error&)> done) {
  auto node = peer.task_manager.node();
  auto deadline = std::chrono::steady_clock::now()
                  + std::chrono::milliseconds{self->state.options.peer_link_timeout_ms};
  if_direct(self, node, [=](bool direct) {
    if (direct)
      return done(caf::error{});
    if (!(self->node() < node))
      return await_direct_link(self, peer, deadline, done);
    self->request(transport_actor(self->system()),
                  std::chrono::milliseconds{self->state.options.peer_link_timeout_ms},
                  caf::connect_atom::value, peer.host, peer.port)
      .then(
        [=](const caf::node_id& connected, caf::strong_actor_ptr&, const std::set<std::string>&) {
          if (connected != node)
            return done(make_error(errc::no_route,
                                   "the data endpoint " + peer.host + ":"
                                     + std::to_string(peer.port) + " of task manager "
                                     + peer.task_manager_id + " is another node"));
          await_direct_link(self, peer, deadline, done);
        },
        [=](caf::error& e) {
          done(with_context("cannot connect to task manager " + peer.task_manager_id + " at "
                              + peer.host + ":" + std::to_string(peer.port) + ": ",
                            e));
        });
  });
}

task_manager_actor::behavior_type task_manager(tm_actor* self,
                                               job_manager_endpoint_actor job_manager,
                                               task_manager_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.job_manager = std::move(job_manager);
  st.cluster = !st.job_manager;
  if (st.job_manager)
    self->monitor(st.job_manager);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.job_manager && dm.source == st.job_manager.address()) {
      spdlog::warn("task manager {}: job manager gone ({}), cancelling {} task(s)", st.options.id,
                   describe(dm.reason), st.tasks.size());
      st.registered = false;
      st.session.clear();
      kill_tasks(self, "", 0);
      if (st.cluster) {
        // Wait for leader retrieval to announce the next leader; meanwhile retry this one.
        st.job_manager = nullptr;
        ++st.generation;
        self->delayed_send(self, std::chrono::milliseconds{st.options.registration_retry_ms},
                           retry_atom::value, st.generation);
      }
      return;
    }
    st.tasks.erase(dm.source);
  });
  self->set_exit_handler([=](caf::exit_msg& em) {
    kill_tasks(self, "", 0);
    self->quit(em.reason);
  });
  try_register(self);
  return {
    [=](retry_atom, std::uint64_t generation) {
      if (from_self(self, "registration retry") && generation == self->state.generation)
        try_register(self);
    },
    [=](const leader_announcement& msg) {
      auto& st = self->state;
      if (!from_self(self, "leader announcement"))
        return;
      auto& address = msg.address;
      auto& session = msg.session;
      if (!st.cluster || (address == st.leader_address && session == st.announced_session))
        return;
      spdlog::info("task manager {}: leader is now {} (session {})", st.options.id,
                   address.empty() ? "unknown" : address, session.empty() ? "-" : session);
      if (!st.tasks.empty())
        spdlog::info("task manager {}: cancelling {} task(s) of the previous leader",
                     st.options.id, st.tasks.size());
      kill_tasks(self, "", 0);
      if (st.job_manager)
        self->demonitor(st.job_manager.address());
      st.job_manager = nullptr;
      st.registered = false;
      st.session.clear();
      st.leader_address = address;
      st.announced_session = session;
      ++st.generation;
      connect_to_leader(self);
    },
    [=](const deploy_task& msg) -> caf::result<task_actor> {
      auto& st = self->state;
      if (!st.registered || msg.leader_session != st.session)
        return make_error(errc::fenced, "task manager " + st.options.id
                                          + " refuses a deployment from another leader session");
      if (msg.deployment.plugins.empty())
        return start_task(self, msg.deployment);
      auto rp = self->make_response_promise<task_actor>();
      deploy_with_plugins(self, msg.deployment, 0, rp);
      return rp;
    },
    [=](poll_atom, std::uint64_t id) {
      if (!from_self(self, "link poll"))
        return;
      auto i = self->state.link_waits.find(id);
      if (i == self->state.link_waits.end())
        return;
      auto resume = std::move(i->second);
      self->state.link_waits.erase(i);
      resume();
    },
    [=](const connect_peers& msg) -> caf::result<bool> {
      auto& st = self->state;
      if (!st.registered || msg.leader_session != st.session)
        return make_error(errc::fenced, "task manager " + st.options.id
                                          + " refuses peer links for another leader session");
      std::vector<data_endpoint> remote;
      for (auto& peer : msg.peers)
        if (peer.task_manager && peer.task_manager.node() != self->node())
          remote.push_back(peer);
      if (remote.empty())
        return true;
      auto rp = self->make_response_promise<bool>();
      auto pending = std::make_shared<std::size_t>(remote.size());
      auto failed = std::make_shared<bool>(false);
      for (auto& peer : remote)
        link_to_peer(self, peer, [=](const caf::error& e) mutable {
          if (*failed)
            return;
          if (e) {
            *failed = true;
            spdlog::warn("task manager {}: {}", self->state.options.id, describe(e));
            rp.deliver(e);
            return;
          }
          if (--*pending == 0)
            rp.deliver(true);
        });
      return rp;
    },
    [=](const cancel_tasks& msg) {
      auto& st = self->state;
      if (msg.leader_session != st.session)
        return;
      kill_tasks(self, msg.job_id, msg.attempt);
    },
  };
}

}  // namespace

task_manager_actor spawn_task_manager(caf::actor_system& sys,
                                      job_manager_endpoint_actor job_manager,
                                      task_manager_options options) {
  return sys.spawn(task_manager, std::move(job_manager), std::move(options));
}

task_manager_actor spawn_cluster_task_manager(caf::actor_system& sys,
                                              task_manager_options options) {
  return sys.spawn(task_manager, job_manager_endpoint_actor{}, std::move(options));
}

}  // namespace fjord
