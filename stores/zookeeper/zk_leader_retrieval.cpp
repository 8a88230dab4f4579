#include "stores/zookeeper/zk_leader_retrieval.hpp"

#include <functional>
#include <stdexcept>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "common/host_port.hpp"
#include "serialization/envelope.hpp"
#include "serialization/records.hpp"

namespace fjord::zk {

namespace {

/// Leader sessions are UUIDs: printable, short. Anything else is not from a JobManager.
bool valid_session_id(const std::string& id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
      return false;
  return true;
}

}  // namespace

zk_leader_retrieval_service::zk_leader_retrieval_service(client_factory factory,
                                                         std::string leader_path,
                                                         std::int64_t retry_wait_ms)
  : factory_(std::move(factory)),
    leader_path_(std::move(leader_path)),
    retry_wait_ms_(retry_wait_ms),
    worker_queue_(std::make_shared<detail::serial_worker>()) {
  if (!factory_)
    throw std::invalid_argument("zk_leader_retrieval_service needs a client factory");
  if (leader_path_.empty() || leader_path_[0] != '/')
    throw std::invalid_argument("the leader path must start with '/'");
}

zk_leader_retrieval_service::~zk_leader_retrieval_service() {
  stop();
  if (worker_.joinable()) {
    if (std::this_thread::get_id() == worker_.get_id())
      worker_.detach();
    else
      worker_.join();
  }
}

void zk_leader_retrieval_service::start(leader_retrieval_listener* listener) {
  if (listener == nullptr)
    throw std::invalid_argument("leader retrieval: start() needs a listener");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_ || worker_.joinable())
      throw std::logic_error("leader retrieval: start() may be called once");
    started_ = true;
    listener_ = listener;
  }
  auto queue = worker_queue_;
  worker_ = std::thread([queue] { queue->run(); });
  worker_queue_->post([this] { start_session(generation_); });
}

void zk_leader_retrieval_service::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_)
      return;
    started_ = false;
  }
  worker_queue_->post([this] {
    ++generation_;
    if (client_) {
      client_->set_connection_listener({});
      try {
        client_->close();
      } catch (const std::exception& e) {
        spdlog::debug("leader retrieval: closing the session: {}", e.what());
      }
      client_.reset();
    }
    worker_queue_->close();
  });
  if (worker_.joinable() && std::this_thread::get_id() != worker_.get_id())
    worker_.join();
}

void zk_leader_retrieval_service::start_session(std::uint64_t generation) {
  if (generation != generation_)
    return;
  auto g = ++generation_;
  if (client_) {
    client_->set_connection_listener({});
    try {
      client_->close();
    } catch (const std::exception&) {
      // the old session is gone anyway
    }
    client_.reset();
  }
  watch_armed_ = false;
  try {
    client_ = factory_();
  } catch (const std::exception& e) {
    spdlog::warn("leader retrieval: cannot connect to ZooKeeper ({}); retrying in {} ms",
                 e.what(), retry_wait_ms_);
    worker_queue_->post_after(std::chrono::milliseconds(retry_wait_ms_),
                              [this, g] { start_session(g); });
    return;
  }
  std::weak_ptr<detail::serial_worker> queue = worker_queue_;
  client_->set_connection_listener([this, queue, g](connection_state s) {
    if (auto q = queue.lock())
      q->post([this, g, s] { on_connection(g, s); });
  });
  check(g);
}

void zk_leader_retrieval_service::on_connection(std::uint64_t g, connection_state state) {
  if (g != generation_)
    return;
  switch (state) {
    case connection_state::connected:
    case connection_state::reconnected:
      check(g);  // changes made while we were away fire the armed watch, or show up here
      break;
    case connection_state::suspended:
      break;  // the last known leader stays the best guess (reference 7.9)
    case connection_state::expired:
      start_session(g);
      break;
  }
}

void zk_leader_retrieval_service::check(std::uint64_t g) {
  if (g != generation_ || !client_)
    return;
  try {
    std::optional<node_stat> stat;
    if (watch_armed_) {
      stat = client_->exists(leader_path_);
    } else {
      std::weak_ptr<detail::serial_worker> queue = worker_queue_;
      stat = client_->exists(leader_path_, [this, queue, g](const watch_event&) {
        if (auto q = queue.lock())
          q->post([this, g] {
            if (g != generation_)
              return;
            watch_armed_ = false;
            check(g);
          });
      });
      watch_armed_ = true;
    }
    std::optional<get_result> node;
    if (stat)
      node = client_->get(leader_path_);
    if (!node) {
      deliver("", "");
      return;
    }
    leader_info info;
    try {
      info = decode<leader_info>(node->data);
    } catch (const envelope_error& e) {
      reject(node->data, fmt::format("no valid leader info ({}; its first bytes: '{}')",
                                     e.what(), printable(node->data, 40)));
      return;
    }
    auto address = parse_host_port(info.address);
    if (!address.value) {
      reject(node->data, "a leader address that is no host:port: " + address.error);
      return;
    }
    if (!valid_session_id(info.session_id)) {
      reject(node->data, fmt::format("a leader session id that is no id: '{}'",
                                     printable(info.session_id)));
      return;
    }
    last_rejected_.reset();
    deliver(info.address, info.session_id);
  } catch (const zk_error& e) {
    if (is_session_lost(e.code())) {
      worker_queue_->post([this, g] { start_session(g); });
      return;
    }
    if (!is_retryable(e.code())) {
      leader_retrieval_listener* listener = nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        listener = listener_;
      }
      listener->handle_error(std::string("leader retrieval: ") + e.what());
    }
    worker_queue_->post_after(std::chrono::milliseconds(retry_wait_ms_), [this, g] { check(g); });
  }
}

void zk_leader_retrieval_service::reject(const std::string& data, const std::string& why) {
  // Logged once per distinct value: every rewrite fires the watch again, and a hostile writer
  // must not be able to fill the log.
  auto fingerprint = std::make_pair(std::hash<std::string>{}(data), data.size());
  if (last_rejected_ == fingerprint)
    return;
  last_rejected_ = fingerprint;
  spdlog::warn("leader retrieval: ignoring {} ({} bytes): it holds {}; the last known leader "
               "stays until the leader rewrites it",
               leader_path_, data.size(), why);
}

void zk_leader_retrieval_service::deliver(const std::string& address,
                                          const std::string& session_id) {
  auto now = std::make_pair(address, session_id);
  if (last_ && *last_ == now)
    return;
  last_ = now;
  leader_retrieval_listener* listener = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_)
      return;
    listener = listener_;
  }
  spdlog::info("leader retrieval: leader is {}",
               address.empty() ? std::string("unknown") : address + " (" + session_id + ")");
  listener->notify_leader_address(address, session_id);
}

}  // namespace fjord::zk
