// A real ZooKeeper server for the tests, started through scripts/zookeeper.sh in a child
// process, and unique root paths (so tests sharing one server never see each other's nodes).
#pragma once

#include <atomic>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "tests/support/temp_dir.hpp"

namespace fjord::testing {

/// A root path no other test (or test run) uses.
inline std::string unique_root(const std::string& tag) {
  static std::atomic<int> counter{0};
  return fmt::format("/fjord-test/{}-{}-{}", tag, ::getpid(), counter++);
}

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
  std::string dir() const { return dir_.str(); }

 private:
  std::string run_script(const std::string& command) const;
  int server_pid() const;

  temp_dir dir_{"fjord-zk-test"};
  int port_ = 0;
  bool running_ = false;
  bool paused_ = false;
};

}  // namespace fjord::testing
