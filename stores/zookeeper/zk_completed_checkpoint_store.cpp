#include "stores/zookeeper/zk_completed_checkpoint_store.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "stores/zookeeper/zk_job_id.hpp"

namespace fjord {

namespace {

using kind = store_error::kind;

std::size_t checked_retained(int max_retained) {
  if (max_retained < 1)
    throw store_error(kind::invalid_argument,
                      "state.checkpoints.num-retained must be at least 1, got "
                        + std::to_string(max_retained));
  return static_cast<std::size_t>(max_retained);
}

std::string job_root(const std::string& parent, const std::string& job_id) {
  checked_job_id(job_id);
  if (parent.empty() || parent.front() != '/')
    throw store_error(kind::invalid_argument,
                      fmt::format("checkpoints path '{}' must start with '/'", parent));
  return (parent.back() == '/' ? parent : parent + "/") + job_id;
}

/// The id of a 19-digit znode name; nullopt for any other name.
std::optional<std::int64_t> parse_node_name(const std::string& name) {
  if (name.size() != 19 || !std::all_of(name.begin(), name.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return std::nullopt;
  try {
    return std::stoll(name);
  } catch (const std::exception&) {
    return std::nullopt;  // beyond int64
  }
}

}  // namespace

std::string zk_completed_checkpoint_store::file_prefix(const std::string& job_id) {
  return "completedCheckpoint-" + job_id;
}

zk_completed_checkpoint_store::zk_completed_checkpoint_store(
  zk::client_ptr client, const std::string& checkpoints_path, std::string job_id,
  int max_retained, std::shared_ptr<file_state_storage> storage, zk::retry_policy retry)
  : job_id_(std::move(job_id)),
    max_retained_(checked_retained(max_retained)),
    storage_(storage),
    // The job id in the file names lets a terminal shutdown sweep the job's orphan files.
    handles_(std::move(client), job_root(checkpoints_path, job_id_), std::move(storage),
             file_prefix(job_id_), retry) {
}

std::string zk_completed_checkpoint_store::node_name(std::int64_t checkpoint_id) {
  if (checkpoint_id < 0)
    throw store_error(kind::invalid_argument,
                      fmt::format("checkpoint id {} is negative", checkpoint_id));
  return fmt::format("{:019d}", checkpoint_id);
}

void zk_completed_checkpoint_store::recover() {
  std::vector<unreadable_entry> unreadable;
  auto entries = handles_.get_all(&unreadable);
  std::vector<std::pair<std::int64_t, zk_state_handle_store<completed_checkpoint>::entry*>> found;
  for (auto& e : entries) {
    auto id = parse_node_name(e.name);
    if (!id) {
      spdlog::warn("ignoring znode {}/{}: not a checkpoint id", root(), e.name);
      continue;
    }
    if (e.value.checkpoint_id != *id) {
      spdlog::error("skipping unreadable entry {}/{}: its file holds checkpoint {}", root(),
                    e.name, e.value.checkpoint_id);
      unreadable.push_back(unreadable_entry{e.name, "holds another checkpoint id"});
      continue;
    }
    found.emplace_back(*id, &e);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  // Falling back past an unreadable checkpoint could lose exactly-once: its commit may have
  // happened (the sinks renamed its files), and the records after the older checkpoint would
  // be committed again. Recovery refuses instead and says why; an operator who removes the
  // unreadable znode chooses to fall back (README, guarantees).
  std::int64_t newest_readable = found.empty() ? 0 : found.back().first;
  for (auto& bad : unreadable) {
    auto id = parse_node_name(bad.name);
    if (id && *id > newest_readable)
      throw store_error(
        kind::corrupt,
        fmt::format("job {}: checkpoint {} is unreadable ({}) and is newer than every readable "
                    "one ({}): refusing to fall back past it, its output may be committed; "
                    "repair it, or remove znode {}/{} to restore from {}",
                    short_id(job_id_), *id, bad.reason,
                    newest_readable ? std::to_string(newest_readable) : "none", root(), bad.name,
                    newest_readable ? "checkpoint " + std::to_string(newest_readable)
                                    : "scratch"));
  }
  auto keep_from = found.size() > max_retained_ ? found.size() - max_retained_ : 0;
  // Rebuilt from scratch: recovering twice must not duplicate anything (FLINK-3499).
  std::deque<retained> recovered;
  for (auto i = keep_from; i < found.size(); ++i) {
    auto& e = *found[i].second;
    recovered.push_back(retained{subsumed_entry{e.name, e.version, e.handle},
                                 std::move(e.value)});
  }
  for (std::size_t i = 0; i < keep_from; ++i) {
    try {
      handles_.remove_and_discard(found[i].second->name);
    } catch (const store_error& e) {
      spdlog::warn("cannot remove subsumed checkpoint {}/{}: {}", root(), found[i].second->name,
                   e.what());
    }
  }
  checkpoints_ = std::move(recovered);
  if (checkpoints_.empty())
    spdlog::info("job {}: no completed checkpoint to recover ({} unreadable)", short_id(job_id_),
                 unreadable.size());
  else
    spdlog::info("job {}: recovered {} completed checkpoint(s), latest {} ({} unreadable)",
                 short_id(job_id_), checkpoints_.size(),
                 checkpoints_.back().checkpoint.checkpoint_id, unreadable.size());
}

void zk_completed_checkpoint_store::add(const completed_checkpoint& checkpoint) {
  auto name = node_name(checkpoint.checkpoint_id);
  // The oldest ones that the new checkpoint pushes beyond the limit.
  std::vector<subsumed_entry> subsumed;
  auto count = checkpoints_.size() + 1;
  auto excess = count > max_retained_ ? count - max_retained_ : 0;
  for (std::size_t i = 0; i < excess; ++i)
    subsumed.push_back(checkpoints_[i].entry);
  auto handle = handles_.add_subsuming(name, checkpoint, subsumed);
  for (std::size_t i = 0; i < excess; ++i)
    checkpoints_.pop_front();
  auto pos = std::find_if(checkpoints_.begin(), checkpoints_.end(), [&](const retained& x) {
    return x.checkpoint.checkpoint_id > checkpoint.checkpoint_id;
  });
  checkpoints_.insert(pos, retained{subsumed_entry{name, 0, handle}, checkpoint});
}

std::optional<completed_checkpoint> zk_completed_checkpoint_store::latest() {
  if (checkpoints_.empty())
    return std::nullopt;
  return checkpoints_.back().checkpoint;
}

std::vector<completed_checkpoint> zk_completed_checkpoint_store::all() {
  std::vector<completed_checkpoint> result;
  result.reserve(checkpoints_.size());
  for (auto& x : checkpoints_)
    result.push_back(x.checkpoint);
  return result;
}

void zk_completed_checkpoint_store::shutdown(job_state final_state) {
  checkpoints_.clear();
  if (!is_globally_terminal(final_state)) {
    spdlog::info("job {} {}: its checkpoints stay in ZooKeeper for the next leader",
                 short_id(job_id_), to_string(final_state));
    return;
  }
  handles_.remove_and_discard_all();
  try {
    handles_.core().client().remove(root(), -1);
  } catch (const zk::zk_error& e) {
    if (e.code() != zk::error_code::no_node)
      throw to_store_error(e);
  }
  // Files of adds that a crashed JobManager wrote but never pointed a znode at.
  if (auto orphans = storage_->discard_all_with_prefix(file_prefix(job_id_)))
    spdlog::info("job {}: removed {} orphan checkpoint file(s)", short_id(job_id_), orphans);
  spdlog::info("job {} {}: its checkpoints are discarded", short_id(job_id_),
               to_string(final_state));
}

}  // namespace fjord
