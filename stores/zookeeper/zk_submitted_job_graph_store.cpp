#include "stores/zookeeper/zk_submitted_job_graph_store.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "stores/zookeeper/zk_job_id.hpp"

namespace fjord {

namespace {

using kind = store_error::kind;

void check_job_id(const std::string& job_id) {
  checked_job_id(job_id);
}

}  // namespace

/// Shared between the store, its background thread and the watch callback (which holds it
/// weakly), so that a late watch event after the store is gone is harmless.
struct zk_submitted_job_graph_store::watch_state {
  // Serializes the store's operations with the background thread's comparison, so that "I
  // created it and own it" is one step for the observer.
  std::mutex ops;
  std::set<std::string> owned;          ///< added or recovered by this instance
  std::set<std::string> removed_by_me;  ///< removed by this instance, maybe still listed
  std::set<std::string> known;          ///< the children at the last listing
  /// job id -> encoded graph of a put whose create may or may not have happened (connection
  /// lost, outcome unknown): if the znode holds exactly these bytes, it is ours.
  std::map<std::string, std::string> uncertain;
  job_graph_listener* listener = nullptr;

  std::mutex signal;
  std::condition_variable cv;
  bool dirty = false;
  /// The session expired or the connection came back: watches may be lost, so the next
  /// listing re-arms the watch and reports what changed meanwhile.
  bool session_event = false;
  bool running = false;
  std::thread worker;
};

namespace {

using state_ptr = std::shared_ptr<zk_submitted_job_graph_store::watch_state>;

zk::watch_callback make_watch(const state_ptr& st) {
  std::weak_ptr<zk_submitted_job_graph_store::watch_state> weak = st;
  // Runs on the client's event thread: only flags the change.
  return [weak](const zk::watch_event&) {
    if (auto s = weak.lock()) {
      std::lock_guard<std::mutex> guard{s->signal};
      s->dirty = true;
      s->cv.notify_all();
    }
  };
}

// A session lost or renewed drops the child watch without firing it; a reconnect may have
// missed events. Runs on the client's event thread: only flags the change.
zk::connection_listener make_connection_listener(const state_ptr& st) {
  std::weak_ptr<zk_submitted_job_graph_store::watch_state> weak = st;
  return [weak](zk::connection_state state) {
    if (state != zk::connection_state::expired && state != zk::connection_state::reconnected)
      return;
    if (auto s = weak.lock()) {
      std::lock_guard<std::mutex> guard{s->signal};
      s->dirty = true;
      s->session_event = true;
      s->cv.notify_all();
    }
  };
}

// Compares a fresh listing with the previous one and tells the listener, outside the lock.
void compare(const state_ptr& st, const std::vector<std::string>& names) {
  std::vector<std::string> added;
  std::vector<std::string> removed;
  job_graph_listener* listener = nullptr;
  {
    std::lock_guard<std::mutex> guard{st->ops};
    std::set<std::string> now(names.begin(), names.end());
    for (auto& id : now)
      if (st->known.count(id) == 0 && st->owned.count(id) == 0
          && st->removed_by_me.count(id) == 0)
        added.push_back(id);
    for (auto& id : st->known)
      if (now.count(id) == 0 && st->owned.count(id) != 0) {
        removed.push_back(id);
        st->owned.erase(id);  // not ours any more: never overwrite whatever comes next
      }
    for (auto i = st->removed_by_me.begin(); i != st->removed_by_me.end();)
      i = now.count(*i) == 0 ? st->removed_by_me.erase(i) : std::next(i);
    st->known = std::move(now);
    listener = st->listener;
  }
  if (listener == nullptr)
    return;
  for (auto& id : added) {
    spdlog::info("job graph {} was added by another JobManager", short_id(id));
    try {
      listener->on_added_job_graph(id);
    } catch (const std::exception& e) {
      spdlog::error("job graph listener failed on an added graph: {}", e.what());
    }
  }
  for (auto& id : removed) {
    spdlog::warn("job graph {} was removed by another JobManager", short_id(id));
    try {
      listener->on_removed_job_graph(id);
    } catch (const std::exception& e) {
      spdlog::error("job graph listener failed on a removed graph: {}", e.what());
    }
  }
}

void watch_loop(state_ptr st, zk::client_ptr client, std::string root,
                std::int64_t armed_session) {
  auto watch = make_watch(st);
  bool failed = false;
  bool after_session_event = false;  // until a listing succeeded
  for (;;) {
    {
      std::unique_lock<std::mutex> lock{st->signal};
      if (failed)
        st->cv.wait_for(lock, std::chrono::milliseconds{200}, [&] { return !st->running; });
      else
        st->cv.wait(lock, [&] { return st->dirty || !st->running; });
      if (!st->running)
        return;
      st->dirty = false;
      after_session_event = after_session_event || std::exchange(st->session_event, false);
    }
    zk::children_result listing;
    try {
      // Re-arms the watch; on an expired session a reconnecting client renews it first.
      listing = client->children(root, watch);
      failed = false;
      auto session = client->session_id();
      if (after_session_event && session != armed_session)
        spdlog::info("re-armed the job graph watch on {} after session renewal ({} graphs)", root,
                     listing.names.size());
      else if (after_session_event)
        spdlog::debug("re-listed the job graphs on {} after a reconnect ({} graphs)", root,
                      listing.names.size());
      after_session_event = false;
      armed_session = session;
    } catch (const zk::zk_error& e) {
      if (zk::is_session_lost(e.code())) {
        spdlog::warn("job graph watch on {} ends: {}", root, e.what());
        std::unique_lock<std::mutex> lock{st->signal};
        st->cv.wait(lock, [&] { return !st->running; });
        return;
      }
      spdlog::debug("job graph watch on {}: {}; retrying", root, e.what());
      failed = true;
      continue;
    } catch (const std::exception& e) {
      spdlog::debug("job graph watch on {}: {}; retrying", root, e.what());
      failed = true;
      continue;
    }
    compare(st, listing.names);
  }
}

}  // namespace

zk_submitted_job_graph_store::zk_submitted_job_graph_store(
  zk::client_ptr client, std::string jobgraphs_path, std::shared_ptr<file_state_storage> storage,
  zk::retry_policy retry)
  : client_(client),
    handles_(std::move(client), std::move(jobgraphs_path), std::move(storage),
             "submittedJobGraph", retry),
    watch_(std::make_shared<watch_state>()) {
}

zk_submitted_job_graph_store::~zk_submitted_job_graph_store() {
  stop();
}

void zk_submitted_job_graph_store::start(job_graph_listener* listener) {
  {
    std::lock_guard<std::mutex> guard{watch_->signal};
    if (watch_->running)
      return;
  }
  std::lock_guard<std::mutex> guard{watch_->ops};
  client_->set_connection_listener(make_connection_listener(watch_));
  handles_.ensure_root();
  zk::children_result listing;
  try {
    listing = handles_.core().retry().run(
      [&] { return client_->children(root(), make_watch(watch_)); });
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
  watch_->known = std::set<std::string>(listing.names.begin(), listing.names.end());
  watch_->listener = listener;
  {
    std::lock_guard<std::mutex> signal_guard{watch_->signal};
    watch_->running = true;
  }
  watch_->worker = std::thread{watch_loop, watch_, client_, root(), client_->session_id()};
}

void zk_submitted_job_graph_store::stop() {
  {
    std::lock_guard<std::mutex> guard{watch_->signal};
    if (!watch_->running)
      return;
    watch_->running = false;
    watch_->cv.notify_all();
  }
  if (watch_->worker.joinable()) {
    // A listener that calls stop() runs on the worker itself: it ends after the callback.
    if (watch_->worker.get_id() == std::this_thread::get_id())
      watch_->worker.detach();
    else
      watch_->worker.join();
  }
  std::lock_guard<std::mutex> guard{watch_->ops};
  watch_->listener = nullptr;
}

void zk_submitted_job_graph_store::own(const std::string& job_id) {
  watch_->owned.insert(job_id);
  watch_->removed_by_me.erase(job_id);
  watch_->uncertain.erase(job_id);
}

bool zk_submitted_job_graph_store::claim_uncertain(const std::string& job_id) {
  auto i = watch_->uncertain.find(job_id);
  if (i == watch_->uncertain.end())
    return false;
  submitted_job_graph stored;
  try {
    stored = handles_.get(job_id);
  } catch (const store_error& e) {
    if (e.which() == kind::unavailable)
      throw;  // still unknown
    watch_->uncertain.erase(i);
    return false;
  }
  bool mine = encode(stored) == i->second;
  watch_->uncertain.erase(i);
  if (mine)
    own(job_id);
  return mine;
}

void zk_submitted_job_graph_store::put(const submitted_job_graph& graph) {
  auto& id = graph.graph.job_id;
  check_job_id(id);
  std::lock_guard<std::mutex> guard{watch_->ops};
  // Bounded: each pass either succeeds, fails for good, or lost a race with a concurrent
  // create/delete of the same id.
  for (int attempt = 1; attempt <= 10; ++attempt) {
    auto version = handles_.exists(id);
    if (version < 0) {
      try {
        handles_.add(id, graph);
        own(id);
        spdlog::info("job graph {} ({}) stored", short_id(id), graph.graph.name);
        return;
      } catch (const store_error& e) {
        if (e.which() == kind::unavailable)
          watch_->uncertain[id] = encode(graph);
        if (e.which() != kind::conflict)
          throw;
        continue;  // created meanwhile: look again
      }
    }
    if (watch_->owned.count(id) == 0 && !claim_uncertain(id))
      throw store_error(kind::conflict,
                        fmt::format("job graph {} exists and belongs to another JobManager: "
                                    "refusing to overwrite it",
                                    id));
    try {
      handles_.replace(id, version, graph);
      spdlog::info("job graph {} ({}) replaced", short_id(id), graph.graph.name);
      return;
    } catch (const store_error& e) {
      if (e.which() != kind::not_found)
        throw;  // a version conflict: someone else changed it
    }
  }
  throw store_error(kind::conflict,
                    fmt::format("job graph {} kept changing while being stored", id));
}

std::optional<submitted_job_graph>
zk_submitted_job_graph_store::recover(const std::string& job_id) {
  check_job_id(job_id);
  std::lock_guard<std::mutex> guard{watch_->ops};
  submitted_job_graph graph;
  try {
    graph = handles_.get(job_id);
  } catch (const store_error& e) {
    if (e.which() == kind::not_found)
      return std::nullopt;
    throw;
  }
  if (graph.graph.job_id != job_id)
    throw store_error(kind::corrupt,
                      fmt::format("znode {}/{} holds the graph of job {}", root(), job_id,
                                  graph.graph.job_id));
  own(job_id);
  return graph;
}

recovered_job_graphs zk_submitted_job_graph_store::recover_all() {
  std::lock_guard<std::mutex> guard{watch_->ops};
  recovered_job_graphs result;
  auto ids = handles_.names();
  std::sort(ids.begin(), ids.end());
  // Each job on its own: one unreadable graph must not hide the others (FLINK-5193).
  for (auto& id : ids) {
    try {
      auto graph = handles_.get(id);
      if (graph.graph.job_id != id)
        throw store_error(kind::corrupt, fmt::format("znode {}/{} holds the graph of job {}",
                                                     root(), id, graph.graph.job_id));
      own(id);
      result.graphs.push_back(std::move(graph));
    } catch (const store_error& e) {
      if (e.which() == kind::not_found)
        continue;  // removed since the listing
      if (e.which() == kind::unavailable)
        throw;
      spdlog::error("cannot recover job graph {}: {}", id, e.what());
      result.failures.emplace_back(id, e.what());
    }
  }
  return result;
}

void zk_submitted_job_graph_store::remove(const std::string& job_id) {
  check_job_id(job_id);
  std::lock_guard<std::mutex> guard{watch_->ops};
  if (watch_->owned.count(job_id) == 0 && !claim_uncertain(job_id))
    return;
  handles_.remove_and_discard(job_id);
  watch_->owned.erase(job_id);
  watch_->removed_by_me.insert(job_id);
  spdlog::info("job graph {} removed", short_id(job_id));
}

std::vector<std::string> zk_submitted_job_graph_store::job_ids() {
  auto ids = handles_.names();
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::set<std::string> zk_submitted_job_graph_store::owned_job_ids() {
  std::lock_guard<std::mutex> guard{watch_->ops};
  return watch_->owned;
}

}  // namespace fjord
