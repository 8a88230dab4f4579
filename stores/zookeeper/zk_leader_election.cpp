#include "stores/zookeeper/zk_leader_election.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/failpoints.hpp"
#include "common/ids.hpp"
#include "serialization/records.hpp"

namespace fjord::zk {

// --- serial_worker -------------------------------------------------------------------------

namespace detail {

void serial_worker::post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_)
    return;
  ready_.push_back(std::move(task));
  cv_.notify_all();
}

void serial_worker::post_after(std::chrono::milliseconds delay, std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_)
    return;
  delayed_.emplace(clock::now() + delay, std::move(task));
  cv_.notify_all();
}

void serial_worker::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!closed_) {
    auto now = clock::now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    if (!ready_.empty()) {
      auto task = std::move(ready_.front());
      ready_.pop_front();
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        spdlog::error("ZooKeeper service task failed: {}", e.what());
      }
      lock.lock();
      continue;
    }
    if (delayed_.empty())
      cv_.wait(lock);
    else
      cv_.wait_until(lock, delayed_.begin()->first);
  }
}

void serial_worker::close() {
  std::deque<std::function<void()>> ready;
  std::multimap<clock::time_point, std::function<void()>> delayed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready.swap(ready_);
    delayed.swap(delayed_);
    cv_.notify_all();
  }
  // The dropped tasks are destroyed here, outside the lock.
}

}  // namespace detail

// --- zk_leader_election_service ------------------------------------------------------------

namespace {

constexpr const char* latch_prefix = "latch-";

/// Latch node names are "latch-<instance uuid>-<10-digit sequence>"; they sort by sequence.
bool is_latch_name(const std::string& name) {
  if (name.size() < 11 || name.compare(0, 6, latch_prefix) != 0)
    return false;
  return std::all_of(name.end() - 10, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string sequence_of(const std::string& name) {
  return name.substr(name.size() - 10);
}

std::string base_name(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

zk_leader_election_service::zk_leader_election_service(client_factory factory,
                                                       leader_election_options options)
  : factory_(std::move(factory)),
    options_(std::move(options)),
    instance_tag_(new_uuid()),
    worker_queue_(std::make_shared<detail::serial_worker>()) {
  if (!factory_)
    throw std::invalid_argument("zk_leader_election_service needs a client factory");
  if (options_.latch_path.empty() || options_.latch_path[0] != '/' ||
      options_.leader_path.empty() || options_.leader_path[0] != '/')
    throw std::invalid_argument("leader election paths must start with '/'");
}

zk_leader_election_service::~zk_leader_election_service() {
  stop();
  if (worker_.joinable()) {
    if (std::this_thread::get_id() == worker_.get_id())
      worker_.detach();  // stop() was called by a contender callback on the worker
    else
      worker_.join();
  }
}

void zk_leader_election_service::start(leader_contender* contender) {
  if (contender == nullptr)
    throw std::invalid_argument("leader election: start() needs a contender");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_ || worker_.joinable())
      throw std::logic_error("leader election: start() may be called once");
    contender_ = contender;
    started_ = true;
  }
  auto queue = worker_queue_;
  worker_ = std::thread([queue] { queue->run(); });
  worker_queue_->post([this] { start_session(generation_); });
}

void zk_leader_election_service::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_)
      return;
    started_ = false;
  }
  worker_queue_->post([this] {
    ++generation_;  // drops events of the current session
    revoke();
    close_client();
    worker_queue_->close();
  });
  if (worker_.joinable() && std::this_thread::get_id() != worker_.get_id())
    worker_.join();
}

bool zk_leader_election_service::is_started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

void zk_leader_election_service::confirm_leadership(const std::string& session_id,
                                                    const std::string& address) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ || granted_.empty() || session_id != granted_) {
      spdlog::warn("leader election: ignoring the confirmation of leader session {}: it is "
                   "not the current grant",
                   session_id);
      return;
    }
    confirmed_address_ = address;
  }
  worker_queue_->post([this] { write_leader(); });
}

bool zk_leader_election_service::has_leadership(const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_ && !granted_.empty() && granted_ == session_id;
}

client_ptr zk_leader_election_service::current_client() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return client_;
}

std::string zk_leader_election_service::fencing_node(const std::string& session_id) {
  if (!has_leadership(session_id))
    return "/.fjord-no-leadership";  // never exists: every fenced write fails
  auto node = latch_node();
  return node.empty() ? "/.fjord-no-leadership" : node;
}

std::string zk_leader_election_service::latch_node() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latch_node_;
}

void zk_leader_election_service::start_session(std::uint64_t generation) {
  if (generation != generation_)
    return;  // another session started meanwhile
  auto g = ++generation_;
  revoke();  // never two grants at once: the old one ends before we contend again
  close_client();
  watched_predecessor_.clear();
  leader_watch_armed_ = false;
  suspended_ = false;
  if (!is_started())
    return;
  client_ptr c;
  try {
    c = factory_();
  } catch (const std::exception& e) {
    spdlog::warn("leader election: cannot connect to ZooKeeper ({}); retrying in {} ms",
                 e.what(), options_.retry_wait_ms);
    worker_queue_->post_after(std::chrono::milliseconds(options_.retry_wait_ms),
                              [this, g] { start_session(g); });
    return;
  }
  std::weak_ptr<detail::serial_worker> queue = worker_queue_;
  c->set_connection_listener([this, queue, g](connection_state s) {
    if (auto q = queue.lock())
      q->post([this, g, s] { on_connection(g, s); });
  });
  {
    std::lock_guard<std::mutex> lock(mutex_);
    client_ = c;
    latch_node_.clear();
  }
  create_latch_node(g);
}

void zk_leader_election_service::close_client() {
  client_ptr c;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    c = std::move(client_);
    client_.reset();
    latch_node_.clear();
  }
  if (!c)
    return;
  c->set_connection_listener({});
  try {
    c->close();  // our latch node vanishes now, not after the session timeout
  } catch (const std::exception& e) {
    spdlog::debug("leader election: closing the old session: {}", e.what());
  }
}

void zk_leader_election_service::create_latch_node(std::uint64_t g) {
  if (g != generation_ || !is_started())
    return;
  auto c = current_client();
  try {
    c->create_recursive(options_.latch_path);
    auto prefix = options_.latch_path + "/" + latch_prefix + instance_tag_ + "-";
    auto node = c->create(prefix, "", create_mode::ephemeral_sequential);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      latch_node_ = node;
    }
    spdlog::debug("leader election: contending with latch node {}", node);
  } catch (const zk_error& e) {
    // A lost reply may have created the node: check_latch finds it by our instance tag.
    if (is_retryable(e.code())) {
      worker_queue_->post_after(std::chrono::milliseconds(options_.retry_wait_ms),
                                [this, g] { check_latch(g); });
      return;
    }
    on_error(g, e, [this, g] { create_latch_node(g); });
    return;
  }
  check_latch(g);
}

void zk_leader_election_service::check_latch(std::uint64_t g) {
  if (g != generation_ || !is_started())
    return;
  auto c = current_client();
  try {
    for (;;) {
      auto names = c->children(options_.latch_path).names;
      names.erase(std::remove_if(names.begin(), names.end(),
                                 [](const auto& n) { return !is_latch_name(n); }),
                  names.end());
      std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
        return sequence_of(a) < sequence_of(b);
      });
      auto mine = base_name(latch_node());
      auto it = std::find(names.begin(), names.end(), mine);
      if (mine.empty() || it == names.end()) {
        // Our node is unknown (lost create reply) or gone: adopt the one with our tag, if any.
        auto tag = std::string(latch_prefix) + instance_tag_ + "-";
        auto has_tag = [&](const std::string& n) { return n.compare(0, tag.size(), tag) == 0; };
        auto tagged = std::find_if(names.begin(), names.end(), has_tag);
        if (tagged == names.end()) {
          revoke();
          create_latch_node(g);
          return;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        latch_node_ = options_.latch_path + "/" + *tagged;
        continue;
      }
      if (it == names.begin()) {
        watched_predecessor_.clear();
        grant();
        return;
      }
      revoke();  // someone is ahead of us (our node was re-created): not the leader
      auto predecessor = options_.latch_path + "/" + *std::prev(it);
      std::optional<node_stat> stat;
      if (predecessor == watched_predecessor_) {
        stat = c->exists(predecessor);  // the watch is armed already
      } else {
        std::weak_ptr<detail::serial_worker> queue = worker_queue_;
        stat = c->exists(predecessor, [this, queue, g](const watch_event&) {
          if (auto q = queue.lock())
            q->post([this, g] {
              if (g != generation_)
                return;
              watched_predecessor_.clear();
              check_latch(g);
            });
        });
        watched_predecessor_ = predecessor;
      }
      if (stat)
        return;  // wait for the predecessor to go
      // Gone between children() and exists(): look again (the exists watch stays armed
      // and will fire on a re-creation; harmless).
    }
  } catch (const zk_error& e) {
    if (e.code() == error_code::no_node) {
      // Someone removed the latch path (and with it our node): contend again.
      revoke();
      create_latch_node(g);
      return;
    }
    on_error(g, e, [this, g] { check_latch(g); });
  }
}

void zk_leader_election_service::grant() {
  std::string uuid;
  leader_contender* contender = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!granted_.empty() || !started_)
      return;  // already leader: nothing changes
    uuid = new_uuid();
    granted_ = uuid;
    confirmed_address_.reset();
    contender = contender_;
  }
  spdlog::info("leader election: leadership granted (leader session {}, latch node {})", uuid,
               latch_node());
  contender->grant_leadership(uuid);
}

void zk_leader_election_service::revoke() {
  leader_contender* contender = nullptr;
  std::string old;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (granted_.empty())
      return;
    old.swap(granted_);
    confirmed_address_.reset();
    contender = contender_;
  }
  spdlog::info("leader election: leadership revoked (leader session {})", old);
  contender->revoke_leadership();
}

void zk_leader_election_service::on_connection(std::uint64_t g, connection_state state) {
  if (g != generation_)
    return;
  switch (state) {
    case connection_state::connected:
      check_latch(g);
      break;
    case connection_state::suspended: {
      suspended_ = true;
      auto suspension = ++suspension_;
      if (!options_.tolerate_suspended_connections) {
        spdlog::warn("leader election: connection to ZooKeeper suspended");
        revoke();
        break;
      }
      // Tolerated only while the session may still be alive (see the header).
      std::int64_t timeout = 0;
      if (auto c = current_client())
        timeout = c->session_timeout_ms();
      spdlog::warn("leader election: connection to ZooKeeper suspended; keeping leadership "
                   "for up to {} ms",
                   timeout / 3);
      worker_queue_->post_after(std::chrono::milliseconds(timeout / 3), [this, g, suspension] {
        if (g == generation_ && suspended_ && suspension == suspension_) {
          spdlog::warn("leader election: still disconnected; the session may be gone");
          revoke();
        }
      });
      break;
    }
    case connection_state::reconnected:
      suspended_ = false;
      spdlog::info("leader election: reconnected to ZooKeeper");
      check_latch(g);
      write_leader();
      break;
    case connection_state::expired:
      spdlog::warn("leader election: ZooKeeper session expired; contending with a new one");
      revoke();
      start_session(g);
      break;
  }
}

void zk_leader_election_service::write_leader() {
  std::string session;
  std::string address;
  client_ptr c;
  std::uint64_t g = generation_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (granted_.empty() || !confirmed_address_ || !started_)
      return;
    session = granted_;
    address = *confirmed_address_;
    c = client_;
  }
  if (!c)
    return;
  const auto& path = options_.leader_path;
  auto data = encode(leader_info{address, session});
  auto tolerated = [](const zk_error& e, std::initializer_list<error_code> codes) {
    return std::find(codes.begin(), codes.end(), e.code()) != codes.end();
  };
  try {
    auto mine = c->session_id();
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto current = c->get(path);
      try {
        if (!current) {
          c->create(path, data, create_mode::ephemeral);
          continue;  // read it back
        }
        if (current->stat.ephemeral_owner != mine) {
          // A leftover of an older session (ours or a former leader's): replace it.
          c->remove(path, current->stat.version);
          continue;
        }
        if (current->data != data) {
          spdlog::info("leader election: {} does not hold the current leader info; "
                       "rewriting it",
                       path);
          c->set(path, data, current->stat.version);
          continue;
        }
      } catch (const zk_error& e) {
        if (e.code() == error_code::no_node && !current) {
          c->create_recursive(parent_of(path));
          continue;
        }
        if (tolerated(e, {error_code::node_exists, error_code::no_node, error_code::bad_version}))
          continue;  // raced with another writer: look again
        throw;
      }
      // The node is right: from now on, a change or deletion brings us back here.
      if (!leader_watch_armed_) {
        std::weak_ptr<detail::serial_worker> queue = worker_queue_;
        auto stat = c->exists(path, [this, queue, g](const watch_event&) {
          if (auto q = queue.lock())
            q->post([this, g] {
              if (g != generation_)
                return;
              leader_watch_armed_ = false;
              write_leader();
            });
        });
        leader_watch_armed_ = true;
        if (!stat || stat->mzxid != current->stat.mzxid)
          continue;  // changed before the watch was set
      }
      spdlog::debug("leader election: {} holds {} at {}", path, session, address);
      failpoint::hit("leader.info.written");
      return;
    }
    spdlog::warn("leader election: {} keeps changing; trying again in {} ms", path,
                 options_.retry_wait_ms);
    worker_queue_->post_after(std::chrono::milliseconds(options_.retry_wait_ms),
                              [this] { write_leader(); });
  } catch (const zk_error& e) {
    on_error(g, e, [this] { write_leader(); });
  }
}

void zk_leader_election_service::on_error(std::uint64_t g, const zk_error& e,
                                          std::function<void()> retry) {
  if (g != generation_)
    return;
  if (is_session_lost(e.code())) {
    spdlog::warn("leader election: {}; contending with a new session", e.what());
    revoke();
    worker_queue_->post([this, g] { start_session(g); });
    return;
  }
  // Retried here, whatever the error: the contender hears of an error only when it is final
  // (leader_contender::handle_error), and a JobManager quits on that.
  auto delay = std::chrono::milliseconds(options_.retry_wait_ms);
  if (is_retryable(e.code()))
    spdlog::debug("leader election: {}; retrying in {} ms", e.what(), delay.count());
  else
    spdlog::error("leader election: {}; retrying in {} ms", e.what(), delay.count());
  worker_queue_->post_after(delay, [this, g, retry = std::move(retry)] {
    if (g == generation_)
      retry();
  });
}

}  // namespace fjord::zk
