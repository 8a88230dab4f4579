// Test support for the ZooKeeper tests: bounded polling, a watch-event recorder, unique root
// paths (so tests sharing one server never see each other's nodes), and the real ZooKeeper
// server fixture started through scripts/zookeeper.sh.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "stores/zookeeper/zk_client.hpp"

namespace fjord::zk::testing {

/// Polls `condition` every 10 ms for up to `limit`; true as soon as it holds.
template <class Condition>
bool eventually(Condition condition,
                std::chrono::milliseconds limit = std::chrono::milliseconds{10000}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (condition())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

/// A root path no other test (or test run) uses.
inline std::string unique_root(const std::string& tag) {
  static std::atomic<int> counter{0};
  return fmt::format("/fjord-test/{}-{}-{}", tag, ::getpid(), counter++);
}

inline const char* to_string(watch_event_type t) {
  switch (t) {
    case watch_event_type::created:
      return "created";
    case watch_event_type::deleted:
      return "deleted";
    case watch_event_type::changed:
      return "changed";
    case watch_event_type::child:
      return "child";
  }
  return "unknown";
}

/// Collects watch events; keep it in a shared_ptr so a late event never outlives it.
class event_recorder : public std::enable_shared_from_this<event_recorder> {
 public:
  watch_callback callback() {
    auto self = shared_from_this();
    return [self](const watch_event& e) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->events_.push_back(e);
    };
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
  }
  std::vector<watch_event> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  /// "changed /path" per event: readable in a failed CHECK.
  std::vector<std::string> described() const {
    std::vector<std::string> out;
    for (const auto& e : events())
      out.push_back(std::string(to_string(e.type)) + " " + e.path);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<watch_event> events_;
};

/// Collects connection states delivered to a listener.
class state_recorder : public std::enable_shared_from_this<state_recorder> {
 public:
  connection_listener listener() {
    auto self = shared_from_this();
    return [self](connection_state s) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->states_.push_back(s);
    };
  }
  std::vector<connection_state> states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_;
  }
  bool saw(connection_state s) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto x : states_)
      if (x == s)
        return true;
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<connection_state> states_;
};

/// A real ZooKeeper server in a fresh temporary directory, run by scripts/zookeeper.sh.
/// start() throws std::runtime_error with the script's message if the server does not come
/// up: tests then fail, they never skip. The destructor kills the server and removes the
/// directory; the script's watchdog also kills it if this process dies first.
class zk_test_server {
 public:
  zk_test_server();
  ~zk_test_server();
  zk_test_server(const zk_test_server&) = delete;
  zk_test_server& operator=(const zk_test_server&) = delete;

  /// One server shared by the tests of this binary run (each test uses its own root path).
  static zk_test_server& shared();

  /// Starts the server, again on the same data and port after stop().
  void start();
  /// Stops the server (SIGTERM, then SIGKILL) and waits until it is gone; the data stays.
  void stop();
  /// SIGSTOP / SIGCONT: the server keeps its sockets open but answers nothing.
  void pause();
  void resume();

  bool running() const { return running_; }
  int port() const { return port_; }
  /// "127.0.0.1:<port>"
  std::string quorum() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string run_script(const std::string& command) const;
  int server_pid() const;

  std::string dir_;
  int port_ = 0;
  bool running_ = false;
  bool paused_ = false;
};

}  // namespace fjord::zk::testing
