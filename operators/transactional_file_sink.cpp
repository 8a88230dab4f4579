// Sink "transactional_file" (see transactional_file_sink.hpp for the file naming).
//
// Why it is exactly-once: the task's state at checkpoint c lists the staged-but-uncommitted
// checkpoint ids (c included). A staged file holds exactly the records between two barriers,
// and is renamed to its committed name only once its checkpoint is durable. On restore to c,
// every listed id is committed (the staged file is renamed, or it was already committed before
// the crash), and everything newer than c is deleted: those records are replayed by the
// sources. Every step is a rename or a delete and is safe to repeat, so a crash at any point
// followed by another restore gives the same committed files.
#include "operators/transactional_file_sink.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/failpoints.hpp"
#include "operators/builtin_operators.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

namespace fs = std::filesystem;

transactional_file_names::transactional_file_names(const std::string& job_id,
                                                   std::int32_t subtask)
  : job_(job_id.substr(0, 8)), subtask_(std::to_string(subtask)) {}

std::string transactional_file_names::in_progress(std::int32_t attempt,
                                                  const std::string& instance) const {
  return in_progress_prefix() + std::to_string(attempt) + "-" + instance;
}

std::string transactional_file_names::staged(std::int64_t checkpoint_id) const {
  return staged_prefix() + std::to_string(checkpoint_id);
}

std::string transactional_file_names::committed(std::int64_t checkpoint_id) const {
  return fmt::format("part-{}-{}-{:019d}", job_, subtask_, checkpoint_id);
}

std::string transactional_file_names::in_progress_prefix() const {
  return ".inprogress-" + job_ + "-" + subtask_ + "-";
}

std::string transactional_file_names::staged_prefix() const {
  return ".staged-" + job_ + "-" + subtask_ + "-";
}

std::vector<fs::path> committed_output_files(const fs::path& dir) {
  std::vector<fs::path> result;
  for (auto& entry : fs::directory_iterator{dir}) {
    auto name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.empty() && name[0] != '.')
      result.push_back(entry.path());
  }
  std::sort(result.begin(), result.end());
  return result;
}

namespace {

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path) {
  throw std::runtime_error("transactional_file: " + what + " '" + path.string() +
                           "': " + std::strerror(errno));
}

// A rename is durable only once the directory that holds it is synced.
void fsync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    throw_errno("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    throw_errno("cannot sync directory", dir);
}

void rename_file(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    throw_errno("cannot rename to '" + to.string() + "'", from);
}

/// Renames, refusing to replace an existing `to` (another sink instance's file: a zombie of an
/// earlier attempt or leader must never have its output clobbered, nor clobber ours).
void rename_new_file(const fs::path& from, const fs::path& to) {
  if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), 1 /* NOREPLACE */)
      != 0)
    throw_errno("cannot rename to '" + to.string() + "'", from);
}

/// 64 random bits in hex: one sink instance's in-progress file is its own.
std::string instance_token() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// The number of "<prefix><digits>[-<token>]", or -1 if `name` is not of that form.
std::int64_t id_after_prefix(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
    return -1;
  auto digits = name.substr(prefix.size());
  digits = digits.substr(0, digits.find('-'));
  if (digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return -1;
  return std::stoll(digits);
}

class transactional_file_sink : public stream_operator {
 public:
  transactional_file_sink() = default;
  transactional_file_sink(const transactional_file_sink&) = delete;
  transactional_file_sink& operator=(const transactional_file_sink&) = delete;

  // A discarded task (after a failure) closes the descriptor without flushing: what was not
  // staged is replayed anyway.
  ~transactional_file_sink() override {
    if (fd_ >= 0)
      ::close(fd_);
  }

  void open(const operator_context& ctx) override {
    dir_ = ctx.params.get_string("output_dir");
    names_.emplace(ctx.job_id, ctx.subtask);
    attempt_ = ctx.attempt;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec)
      throw std::runtime_error("transactional_file: cannot create output_dir '" +
                               dir_.string() + "': " + ec.message());
    // Whether this is a fresh start is known only when the first call after open() is not
    // restore(): the staged files are needed by restore(), so the cleanup waits until then.
    fresh_start_cleanup_due_ = true;
  }

  void restore(const std::string& bytes, std::int64_t checkpoint_id) override {
    fresh_start_cleanup_due_ = false;
    auto pending = from_bytes<std::vector<std::int64_t>>(bytes);
    for (auto id : pending) {
      auto staged = dir_ / names_->staged(id);
      auto committed = dir_ / names_->committed(id);
      if (fs::exists(staged)) {
        rename_file(staged, committed);
      } else if (!fs::exists(committed)) {
        throw std::runtime_error("transactional_file: checkpoint " +
                                 std::to_string(checkpoint_id) + " needs '" + staged.string() +
                                 "' (or its committed name '" + committed.string() +
                                 "'), but neither exists: its output would be lost");
      }
    }
    remove_own_leftovers(checkpoint_id);
    fsync_directory(dir_);
    pending_.clear();
  }

  void process(const record& r, collector&) override {
    clean_up_fresh_start();
    if (fd_ < 0) {
      // A new name for every file: never truncates what another instance (or this one before
      // a failed snapshot) wrote, never follows a symlink planted under the name.
      in_progress_ = dir_ / names_->in_progress(attempt_, instance_token());
      fd_ = ::open(in_progress_.c_str(),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd_ < 0)
        throw_errno("cannot create", in_progress_);
    }
    buffer_ += r.to_line();
    buffer_ += '\n';
    written_since_barrier_ = true;
    if (buffer_.size() >= flush_threshold)
      write_buffer();
  }

  std::string snapshot(std::int64_t checkpoint_id) override {
    clean_up_fresh_start();
    if (written_since_barrier_) {
      // Any error below leaves this instance unusable on purpose: the task fails (a sink's
      // snapshot error is never just a declined checkpoint) and the job restarts from its
      // last checkpoint, so nothing written since is lost or committed twice.
      write_buffer();
      if (::fsync(fd_) != 0)
        throw_errno("cannot sync", in_progress_);
      auto fd = fd_;
      fd_ = -1;
      if (::close(fd) != 0)
        throw_errno("cannot close", in_progress_);
      failpoint::hit("sink.stage");
      rename_new_file(in_progress_, dir_ / names_->staged(checkpoint_id));
      fsync_directory(dir_);
      failpoint::hit("sink.staged");
      pending_.push_back(checkpoint_id);
      written_since_barrier_ = false;
    }
    return to_bytes(pending_);
  }

  void notify_checkpoint_complete(std::int64_t checkpoint_id) override {
    clean_up_fresh_start();
    auto first_newer = std::stable_partition(pending_.begin(), pending_.end(),
                                             [&](std::int64_t id) { return id <= checkpoint_id; });
    if (first_newer == pending_.begin())
      return;
    for (auto i = pending_.begin(); i != first_newer; ++i) {
      auto staged = dir_ / names_->staged(*i);
      auto committed = dir_ / names_->committed(*i);
      failpoint::hit("sink.commit");
      if (fs::exists(staged))
        rename_file(staged, committed);
      else if (!fs::exists(committed))
        throw std::runtime_error("transactional_file: staged file '" + staged.string() +
                                 "' of completed checkpoint " + std::to_string(*i) +
                                 " is missing: its output would be lost");
    }
    fsync_directory(dir_);
    failpoint::hit("sink.committed");
    pending_.erase(pending_.begin(), first_newer);
  }

  void close() override {
    // After the final checkpoint nothing is buffered; anything else is replayed on a restart.
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  static constexpr std::size_t flush_threshold = 1 << 20;

  void write_buffer() {
    failpoint::hit("sink.write");
    std::size_t done = 0;
    while (done < buffer_.size()) {
      auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        throw_errno("cannot write", in_progress_);
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  void clean_up_fresh_start() {
    if (!fresh_start_cleanup_due_)
      return;
    fresh_start_cleanup_due_ = false;
    remove_own_leftovers(-1);
  }

  // Deletes this subtask's in-progress files (any attempt) and its staged files of checkpoints
  // after `keep_up_to` (all of them for -1). Committed files and other subtasks' or jobs'
  // files are never touched.
  void remove_own_leftovers(std::int64_t keep_up_to) {
    auto in_progress_prefix = names_->in_progress_prefix();
    auto staged_prefix = names_->staged_prefix();
    std::vector<fs::path> doomed;
    for (auto& entry : fs::directory_iterator{dir_}) {
      auto name = entry.path().filename().string();
      if (id_after_prefix(name, in_progress_prefix) >= 0) {
        if (entry.path() != in_progress_ || fd_ < 0)
          doomed.push_back(entry.path());
      } else if (auto id = id_after_prefix(name, staged_prefix); id >= 0 && id > keep_up_to) {
        doomed.push_back(entry.path());
      }
    }
    for (auto& path : doomed) {
      spdlog::debug("transactional_file: removing leftover {}", path.string());
      std::error_code ec;
      fs::remove(path, ec);
      if (ec)
        throw std::runtime_error("transactional_file: cannot remove leftover '" + path.string() +
                                 "': " + ec.message());
    }
  }

  fs::path dir_;
  std::optional<transactional_file_names> names_;
  std::int32_t attempt_ = 0;
  fs::path in_progress_;  ///< of the open file (fd_), or of the last one
  int fd_ = -1;
  std::string buffer_;
  bool written_since_barrier_ = false;
  bool fresh_start_cleanup_due_ = false;
  std::vector<std::int64_t> pending_;  ///< staged, not yet committed checkpoint ids, ascending
};

}  // namespace

operator_descriptor transactional_file_sink_descriptor() {
  operator_descriptor d;
  d.name = "transactional_file";
  d.role = operator_role::sink;
  d.description = "exactly-once files in output_dir, committed when a checkpoint completes";
  d.validate = [](const operator_params& p) {
    p.allow_only({"output_dir"});
    if (p.get_string("output_dir").empty())
      p.fail("output_dir", "must not be empty");
  };
  d.create = [] { return std::make_unique<transactional_file_sink>(); };
  d.path_params = {"output_dir"};
  d.blocking = true;  // write, fsync and rename in every checkpoint
  return d;
}

}  // namespace fjord
