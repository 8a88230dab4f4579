// The tests' child processes: a program started with its stdout read line by line (to SIGKILL
// it mid-run, or read what it announced), and a shell command run to completion.
#pragma once

#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fjord::testing {

/// A program started with posix_spawn; its stdout is collected by a reader thread and its stdin
/// is kept open until the object goes away (so a child reading stdin notices our death). The
/// destructor SIGKILLs and reaps it. Not thread-safe except line_starting(), which the reader
/// thread feeds.
class child_process {
 public:
  /// args[0] is the program's path. Throws std::runtime_error if it cannot be started.
  explicit child_process(const std::vector<std::string>& args) {
    int out[2];
    int in[2];
    if (::pipe(out) != 0)
      throw std::runtime_error("child_process: pipe failed");
    if (::pipe(in) != 0) {
      ::close(out[0]);
      ::close(out[1]);
      throw std::runtime_error("child_process: pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    std::vector<char*> argv;
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(in[0]);
    if (rc != 0) {
      ::close(out[0]);
      ::close(in[1]);
      pid_ = -1;
      throw std::runtime_error("child_process: cannot start " + args.at(0));
    }
    stdin_ = in[1];
    reader_ = std::thread([this, fd = out[0]] { read_lines(fd); });
  }

  ~child_process() {
    kill(SIGKILL);
    ::close(stdin_);
    if (reader_.joinable())
      reader_.join();
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Sends `signal`; after SIGKILL also reaps the child.
  void kill(int signal) {
    if (pid_ <= 0)
      return;
    ::kill(pid_, signal);
    if (signal == SIGKILL) {
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  pid_t pid() const { return pid_; }

  /// The first line of its stdout starting with `prefix`, "" if none yet.
  std::string line_starting(const std::string& prefix) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& l : lines_)
      if (l.compare(0, prefix.size(), prefix) == 0)
        return l;
    return "";
  }

 private:
  void read_lines(int fd) {
    std::string partial;
    char buffer[256];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
      partial.append(buffer, static_cast<std::size_t>(n));
      std::size_t newline;
      while ((newline = partial.find('\n')) != std::string::npos) {
        std::lock_guard<std::mutex> lock(mutex_);
        lines_.push_back(partial.substr(0, newline));
        partial.erase(0, newline + 1);
      }
    }
    ::close(fd);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/// What a finished shell command printed (stdout and stderr together) and how it ended.
struct command_result {
  int exit_status = -1;  ///< -1 if it did not exit normally (killed by a signal)
  std::string output;
  bool succeeded() const { return exit_status == 0; }
};

/// Runs `line` with /bin/sh, its stderr into its stdout, and waits for it to end.
inline command_result run_command(const std::string& line) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((line + " 2>&1").c_str(), "r"), &::pclose);
  if (!pipe)
    throw std::runtime_error("run_command: cannot run " + line);
  command_result result;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr)
    result.output += buffer;
  int status = ::pclose(pipe.release());
  if (status != -1 && WIFEXITED(status))
    result.exit_status = WEXITSTATUS(status);
  return result;
}

}  // namespace fjord::testing
