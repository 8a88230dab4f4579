#include "tests/support/zk_test_server.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "tests/support/child_process.hpp"

#ifndef FJORD_SOURCE_DIR
#error "FJORD_SOURCE_DIR must name the repository (it holds scripts/zookeeper.sh)"
#endif

namespace fjord::testing {

zk_test_server::zk_test_server() = default;

zk_test_server::~zk_test_server() {
  // The data is thrown away: no need for a graceful shutdown, SIGKILL is faster.
  if (running_) {
    auto pid = server_pid();
    if (pid > 0) {
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGKILL);
    }
    try {
      run_script("stop");
    } catch (const std::exception&) {
      // Destructors must not throw; the watchdog kills a leftover server anyway.
    }
  }
}

zk_test_server& zk_test_server::shared() {
  static zk_test_server server;
  if (!server.running())
    server.start();
  return server;
}

std::string zk_test_server::run_script(const std::string& command) const {
  auto result = run_command(fmt::format("ZK_OWNER_PID={} bash '{}/scripts/zookeeper.sh' {} '{}' {}",
                                        ::getpid(), FJORD_SOURCE_DIR, command, dir_.str(),
                                        command == "start" ? std::to_string(port_) : ""));
  auto& output = result.output;
  while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
    output.pop_back();
  if (!result.succeeded())
    throw std::runtime_error("scripts/zookeeper.sh " + command + " failed: " + output);
  return output;
}

void zk_test_server::start() {
  // A JVM that dies while starting (seen once in CI under load, with nothing in its logs) is
  // retried: the tests are about Fjord, not about one unlucky JVM start.
  std::string output;
  for (int attempt = 1;; ++attempt) {
    try {
      output = run_script("start");
      break;
    } catch (const std::runtime_error& e) {
      if (attempt == 3 || std::string(e.what()).find("exited during start-up") == std::string::npos)
        throw;
      std::fprintf(stderr, "zk_test_server: start attempt %d failed, retrying: %s\n", attempt,
                   e.what());
    }
  }
  try {
    port_ = std::stoi(output.substr(output.rfind('\n') + 1));
  } catch (const std::exception&) {
    throw std::runtime_error("scripts/zookeeper.sh start printed no port: " + output);
  }
  running_ = true;
  paused_ = false;
}

void zk_test_server::stop() {
  if (paused_)
    resume();
  run_script("stop");
  running_ = false;
}

int zk_test_server::server_pid() const {
  std::ifstream in(dir_.file("zookeeper.pid"));
  int pid = 0;
  in >> pid;
  return pid;
}

void zk_test_server::pause() {
  auto pid = server_pid();
  if (pid <= 0 || ::kill(pid, SIGSTOP) != 0)
    throw std::runtime_error("zk_test_server: cannot pause the server");
  paused_ = true;
}

void zk_test_server::resume() {
  auto pid = server_pid();
  if (pid <= 0 || ::kill(pid, SIGCONT) != 0)
    throw std::runtime_error("zk_test_server: cannot resume the server");
  paused_ = false;
}

std::string zk_test_server::quorum() const {
  return fmt::format("127.0.0.1:{}", port_);
}

}  // namespace fjord::testing
