#include "tests/zookeeper/zk_test_server.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <sys/wait.h>

#ifndef FJORD_SOURCE_DIR
#error "FJORD_SOURCE_DIR must name the repository (it holds scripts/zookeeper.sh)"
#endif

namespace fjord::zk::testing {

zk_test_server::zk_test_server() {
  char pattern[] = "/tmp/fjord-zk-test-XXXXXX";
  if (::mkdtemp(pattern) == nullptr)
    throw std::runtime_error("zk_test_server: cannot create a temporary directory");
  dir_ = pattern;
}

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
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

zk_test_server& zk_test_server::shared() {
  static zk_test_server server;
  if (!server.running())
    server.start();
  return server;
}

std::string zk_test_server::run_script(const std::string& command) const {
  auto line = fmt::format("ZK_OWNER_PID={} bash '{}/scripts/zookeeper.sh' {} '{}' {} 2>&1",
                          ::getpid(), FJORD_SOURCE_DIR, command, dir_,
                          command == "start" ? std::to_string(port_) : "");
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), &::pclose);
  if (!pipe)
    throw std::runtime_error("zk_test_server: cannot run " + line);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr)
    output += buffer;
  int status = ::pclose(pipe.release());
  while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
    output.pop_back();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("scripts/zookeeper.sh " + command + " failed: " + output);
  return output;
}

void zk_test_server::start() {
  auto output = run_script("start");
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
  std::ifstream in(dir_ + "/zookeeper.pid");
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

}  // namespace fjord::zk::testing
