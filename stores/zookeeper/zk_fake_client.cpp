#include "stores/zookeeper/zk_fake_client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace fjord::zk {

namespace detail {

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

/// ZooKeeper's path rules: absolute, no empty, "." or ".." components, no trailing slash
/// (a sequential create may end in '/': the server appends the suffix).
bool valid_path(const std::string& path, bool sequential) {
  std::string p = sequential ? path + "1" : path;
  if (p.empty() || p[0] != '/')
    return false;
  if (p == "/")
    return true;
  if (p.back() == '/')
    return false;
  std::size_t start = 1;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string::npos)
      end = p.size();
    auto part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      return false;
    if (part.find('\0') != std::string::npos)
      return false;
    start = end + 1;
  }
  return true;
}

bool is_sequential(create_mode mode) {
  return mode == create_mode::persistent_sequential || mode == create_mode::ephemeral_sequential;
}

bool is_ephemeral(create_mode mode) {
  return mode == create_mode::ephemeral || mode == create_mode::ephemeral_sequential;
}

}  // namespace

/// What a mutation triggers; turned into watch events once the mutation is committed.
struct trigger {
  enum kind { created, changed, deleted, child } type;
  std::string path;
};

struct fake_node {
  std::string data;
  node_stat stat;
  std::set<std::string> children;
};

/// The data tree (full paths). Plain value type so that multi() can work on a copy.
struct fake_tree {
  std::map<std::string, fake_node> nodes;
  std::int64_t zxid = 0;

  fake_tree() {
    nodes["/"] = fake_node{};
  }

  error_code create(const std::string& path, const std::string& data, create_mode mode,
                    std::int64_t session, std::string& created, std::vector<trigger>& out) {
    if (path == "/")
      return error_code::node_exists;
    auto parent_path = parent_of(path);
    auto parent = nodes.find(parent_path);
    if (parent == nodes.end())
      return error_code::no_node;
    if (parent->second.stat.ephemeral_owner != 0)
      return error_code::no_children_for_ephemerals;
    created = path;
    if (is_sequential(mode))
      created += fmt::format("{:010d}", parent->second.stat.cversion);
    if (nodes.count(created) > 0)
      return error_code::node_exists;
    fake_node node;
    node.data = data;
    ++zxid;
    node.stat.czxid = zxid;
    node.stat.mzxid = zxid;
    node.stat.ctime_ms = now_ms();
    node.stat.mtime_ms = node.stat.ctime_ms;
    node.stat.ephemeral_owner = is_ephemeral(mode) ? session : 0;
    nodes.emplace(created, std::move(node));
    auto& p = parent->second;
    p.children.insert(name_of(created));
    p.stat.cversion++;
    p.stat.num_children = static_cast<std::int32_t>(p.children.size());
    out.push_back({trigger::created, created});
    out.push_back({trigger::child, parent_path});
    return error_code::ok;
  }

  error_code set(const std::string& path, const std::string& data, std::int32_t version,
                 node_stat& stat, std::vector<trigger>& out) {
    auto it = nodes.find(path);
    if (it == nodes.end())
      return error_code::no_node;
    auto& node = it->second;
    if (version != -1 && version != node.stat.version)
      return error_code::bad_version;
    node.data = data;
    node.stat.version++;
    node.stat.mzxid = ++zxid;
    node.stat.mtime_ms = now_ms();
    stat = node.stat;
    out.push_back({trigger::changed, path});
    return error_code::ok;
  }

  error_code remove(const std::string& path, std::int32_t version, std::vector<trigger>& out) {
    if (path == "/")
      return error_code::bad_arguments;
    auto it = nodes.find(path);
    if (it == nodes.end())
      return error_code::no_node;
    if (version != -1 && version != it->second.stat.version)
      return error_code::bad_version;
    if (!it->second.children.empty())
      return error_code::not_empty;
    nodes.erase(it);
    ++zxid;
    auto parent_path = parent_of(path);
    auto& p = nodes.at(parent_path);
    p.children.erase(name_of(path));
    p.stat.cversion++;
    p.stat.num_children = static_cast<std::int32_t>(p.children.size());
    out.push_back({trigger::deleted, path});
    out.push_back({trigger::child, parent_path});
    return error_code::ok;
  }

  error_code check(const std::string& path, std::int32_t version) const {
    auto it = nodes.find(path);
    if (it == nodes.end())
      return error_code::no_node;
    if (version != -1 && version != it->second.stat.version)
      return error_code::bad_version;
    return error_code::ok;
  }
};

/// One session: its flags (guarded by the server mutex) and its event thread.
struct fake_session {
  std::int64_t id = 0;
  std::string root;

  // Guarded by the server mutex.
  bool suspended = false;
  bool expired = false;
  bool closed = false;
  std::vector<std::function<void()>> held_back;  ///< watch events while suspended

  std::atomic<connection_state> state{connection_state::connected};

  std::mutex listener_mutex;
  connection_listener listener;

  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<std::function<void()>> queue;
  std::uint64_t enqueued = 0;
  std::uint64_t delivered = 0;
  bool stopping = false;
  std::thread thread;

  void start(const std::shared_ptr<fake_session>& self) {
    // The thread keeps the session alive, so stop() may detach it safely.
    thread = std::thread([self] { self->run(); });
  }

  void run() {
    std::unique_lock<std::mutex> lock(queue_mutex);
    for (;;) {
      queue_cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping)
        return;
      auto fn = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      try {
        fn();
      } catch (const std::exception& e) {
        spdlog::error("fake ZooKeeper session {:x}: a callback threw: {}", id, e.what());
      }
      lock.lock();
      ++delivered;
      queue_cv.notify_all();
    }
  }

  void enqueue(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(queue_mutex);
    queue.push_back(std::move(fn));
    ++enqueued;
    queue_cv.notify_all();
  }

  void flush() {
    if (std::this_thread::get_id() == thread.get_id())
      return;
    std::unique_lock<std::mutex> lock(queue_mutex);
    auto target = enqueued;
    queue_cv.wait(lock, [&] { return stopping || delivered >= target; });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      stopping = true;
      queue_cv.notify_all();
    }
    if (!thread.joinable())
      return;
    if (std::this_thread::get_id() == thread.get_id())
      thread.detach();
    else
      thread.join();
  }

  std::string relative(const std::string& full) const {
    if (root.empty())
      return full;
    return full.size() == root.size() ? "/" : full.substr(root.size());
  }

  /// Requires the server mutex.
  void post_watch(const watch_callback& callback, watch_event event) {
    if (closed || expired)
      return;
    std::function<void()> fn = [callback, event] { callback(event); };
    if (suspended)
      held_back.push_back(std::move(fn));
    else
      enqueue(std::move(fn));
  }

  /// Requires the server mutex (so states and watch events keep their order).
  void post_state(connection_state s) {
    state = s;
    enqueue([this, s] {
      connection_listener copy;
      {
        std::lock_guard<std::mutex> lock(listener_mutex);
        copy = listener;
      }
      if (copy)
        copy(s);
    });
  }
};

struct watch_registration {
  std::shared_ptr<fake_session> session;
  watch_callback callback;
};

/// Server-side watch tables, as in ZooKeeper: get and exists share the data table.
struct fake_watches {
  std::map<std::string, std::vector<watch_registration>> data;
  std::map<std::string, std::vector<watch_registration>> child;

  static void fire(std::map<std::string, std::vector<watch_registration>>& table,
                   const std::string& path, watch_event_type type) {
    auto it = table.find(path);
    if (it == table.end())
      return;
    auto registrations = std::move(it->second);
    table.erase(it);
    for (auto& r : registrations)
      r.session->post_watch(r.callback, watch_event{type, r.session->relative(path)});
  }

  /// Requires the server mutex.
  void fire(const std::vector<trigger>& triggers) {
    for (const auto& t : triggers) {
      switch (t.type) {
        case trigger::created:
          fire(data, t.path, watch_event_type::created);
          break;
        case trigger::changed:
          fire(data, t.path, watch_event_type::changed);
          break;
        case trigger::deleted:
          fire(data, t.path, watch_event_type::deleted);
          fire(child, t.path, watch_event_type::deleted);
          break;
        case trigger::child:
          fire(child, t.path, watch_event_type::child);
          break;
      }
    }
  }

  void drop(const fake_session* session) {
    for (auto* table : {&data, &child}) {
      for (auto it = table->begin(); it != table->end();) {
        auto& v = it->second;
        v.erase(std::remove_if(v.begin(), v.end(),
                               [&](const auto& r) { return r.session.get() == session; }),
                v.end());
        it = v.empty() ? table->erase(it) : std::next(it);
      }
    }
  }
};

namespace {

/// Deletes the session's ephemerals and drops its watches. Requires the server mutex.
void end_session(fake_tree& tree, fake_watches& watches, fake_session& session) {
  watches.drop(&session);
  std::vector<std::string> owned;
  for (const auto& [path, node] : tree.nodes)
    if (node.stat.ephemeral_owner == session.id)
      owned.push_back(path);
  std::vector<trigger> triggers;
  for (const auto& path : owned)
    tree.remove(path, -1, triggers);
  watches.fire(triggers);
}

}  // namespace

}  // namespace detail

using detail::fake_session;
using detail::trigger;

fake_zk_server::fake_zk_server()
  : tree_(std::make_unique<detail::fake_tree>()),
    watches_(std::make_unique<detail::fake_watches>()) {
}

fake_zk_server::~fake_zk_server() = default;

std::size_t fake_zk_server::node_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tree_->nodes.size();
}

fake_zk_client::fake_zk_client(std::shared_ptr<fake_zk_server> server, std::string root,
                               std::int64_t session_timeout_ms)
  : server_(std::move(server)),
    session_timeout_ms_(session_timeout_ms),
    session_(std::make_shared<fake_session>()) {
  if (root == "/")
    root.clear();
  if (!root.empty() && !detail::valid_path(root, false))
    throw zk_error(error_code::bad_arguments, root, "connect with root");
  root_ = root;
  session_->root = root_;
  {
    std::lock_guard<std::mutex> lock(server_->mutex_);
    session_->id = server_->next_session_id_++;
  }
  session_->start(session_);
  create_recursive("/");
}

fake_zk_client::~fake_zk_client() {
  close();
  session_->stop();
}

std::string fake_zk_client::full_path(const std::string& path) const {
  if (root_.empty())
    return path;
  return path == "/" ? root_ : root_ + path;
}

void fake_zk_client::check_usable(const std::string& path, const char* what) const {
  if (session_->closed)
    throw zk_error(error_code::closing, path, what);
  if (session_->expired)
    throw zk_error(error_code::session_expired, path, what);
  if (session_->suspended)
    throw zk_error(error_code::connection_loss, path, what);
}

std::string fake_zk_client::create(const std::string& path, const std::string& data,
                                   create_mode mode) {
  if (!detail::valid_path(path, detail::is_sequential(mode)))
    throw zk_error(error_code::bad_arguments, path, "create");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "create");
  std::vector<trigger> triggers;
  std::string created;
  auto ec = server_->tree_->create(full_path(path), data, mode, session_->id, created, triggers);
  if (ec != error_code::ok)
    throw zk_error(ec, path, "create");
  server_->watches_->fire(triggers);
  return session_->relative(created);
}

void fake_zk_client::create_recursive(const std::string& path) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "create");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "create");
  auto full = full_path(path);
  std::vector<trigger> triggers;
  std::size_t pos = 0;
  while (pos != std::string::npos && full != "/") {
    pos = full.find('/', pos + 1);
    auto prefix = full.substr(0, pos);
    std::string created;
    auto ec = server_->tree_->create(prefix, "", create_mode::persistent, 0, created, triggers);
    if (ec != error_code::ok && ec != error_code::node_exists) {
      server_->watches_->fire(triggers);
      throw zk_error(ec, path, "create");
    }
  }
  server_->watches_->fire(triggers);
}

std::optional<get_result> fake_zk_client::get(const std::string& path, watch_callback watch) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "get");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "get");
  auto full = full_path(path);
  auto it = server_->tree_->nodes.find(full);
  if (it == server_->tree_->nodes.end())
    return std::nullopt;  // like zoo_wget: no watch on a missing node
  if (watch)
    server_->watches_->data[full].push_back({session_, std::move(watch)});
  return get_result{it->second.data, it->second.stat};
}

node_stat fake_zk_client::set(const std::string& path, const std::string& data,
                              std::int32_t version) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "set");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "set");
  std::vector<trigger> triggers;
  node_stat stat;
  auto ec = server_->tree_->set(full_path(path), data, version, stat, triggers);
  if (ec != error_code::ok)
    throw zk_error(ec, path, "set");
  server_->watches_->fire(triggers);
  return stat;
}

void fake_zk_client::remove(const std::string& path, std::int32_t version) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "delete");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "delete");
  std::vector<trigger> triggers;
  auto ec = server_->tree_->remove(full_path(path), version, triggers);
  if (ec != error_code::ok)
    throw zk_error(ec, path, "delete");
  server_->watches_->fire(triggers);
}

void fake_zk_client::remove_recursive(const std::string& path) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "delete");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "delete");
  auto full = full_path(path);
  if (full == "/")
    throw zk_error(error_code::bad_arguments, path, "delete");
  auto& nodes = server_->tree_->nodes;
  std::vector<std::string> doomed;
  for (auto it = nodes.lower_bound(full); it != nodes.end(); ++it) {
    const auto& p = it->first;
    if (p != full && p.compare(0, full.size() + 1, full + "/") != 0)
      break;
    doomed.push_back(p);
  }
  // A descendant sorts after its ancestors: deleting in reverse order empties each node first.
  std::vector<trigger> triggers;
  for (auto it = doomed.rbegin(); it != doomed.rend(); ++it)
    server_->tree_->remove(*it, -1, triggers);
  server_->watches_->fire(triggers);
}

std::optional<node_stat> fake_zk_client::exists(const std::string& path, watch_callback watch) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "exists");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "exists");
  auto full = full_path(path);
  if (watch)
    server_->watches_->data[full].push_back({session_, std::move(watch)});
  auto it = server_->tree_->nodes.find(full);
  if (it == server_->tree_->nodes.end())
    return std::nullopt;
  return it->second.stat;
}

children_result fake_zk_client::children(const std::string& path, watch_callback watch) {
  if (!detail::valid_path(path, false))
    throw zk_error(error_code::bad_arguments, path, "get children of");
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(path, "get children of");
  auto full = full_path(path);
  auto it = server_->tree_->nodes.find(full);
  if (it == server_->tree_->nodes.end())
    throw zk_error(error_code::no_node, path, "get children of");
  if (watch)
    server_->watches_->child[full].push_back({session_, std::move(watch)});
  children_result result;
  result.names.assign(it->second.children.begin(), it->second.children.end());
  result.stat = it->second.stat;
  return result;
}

std::vector<op_result> fake_zk_client::multi(const std::vector<op>& ops) {
  for (const auto& o : ops) {
    bool sequential = o.type == op::kind::create && detail::is_sequential(o.mode);
    if (!detail::valid_path(o.path, sequential))
      throw zk_error(error_code::bad_arguments, o.path, "multi");
  }
  std::lock_guard<std::mutex> lock(server_->mutex_);
  check_usable(ops.empty() ? "/" : ops.front().path, "multi");
  // Work on a copy: it replaces the tree only if every operation succeeded.
  detail::fake_tree copy = *server_->tree_;
  std::vector<trigger> triggers;
  std::vector<op_result> results;
  for (const auto& o : ops) {
    op_result r;
    auto full = full_path(o.path);
    node_stat stat;
    switch (o.type) {
      case op::kind::create: {
        std::string created;
        r.code = copy.create(full, o.data, o.mode, session_->id, created, triggers);
        if (r.code == error_code::ok)
          r.created_path = session_->relative(created);
        break;
      }
      case op::kind::remove:
        r.code = copy.remove(full, o.version, triggers);
        break;
      case op::kind::set:
        r.code = copy.set(full, o.data, o.version, stat, triggers);
        break;
      case op::kind::check:
        r.code = copy.check(full, o.version);
        break;
    }
    if (r.code != error_code::ok)
      throw zk_error(r.code, o.path, "multi");
    results.push_back(std::move(r));
  }
  *server_->tree_ = std::move(copy);
  server_->watches_->fire(triggers);
  return results;
}

void fake_zk_client::set_connection_listener(connection_listener listener) {
  std::lock_guard<std::mutex> lock(session_->listener_mutex);
  session_->listener = std::move(listener);
}

std::int64_t fake_zk_client::session_id() const {
  return session_->id;
}

std::int64_t fake_zk_client::session_timeout_ms() const {
  return session_timeout_ms_;
}

connection_state fake_zk_client::state() const {
  return session_->state;
}

void fake_zk_client::close() {
  std::lock_guard<std::mutex> lock(server_->mutex_);
  if (session_->closed)
    return;
  if (!session_->expired)
    detail::end_session(*server_->tree_, *server_->watches_, *session_);
  session_->closed = true;
  session_->held_back.clear();
}

void fake_zk_client::expire_session() {
  std::lock_guard<std::mutex> lock(server_->mutex_);
  if (session_->closed || session_->expired)
    return;
  detail::end_session(*server_->tree_, *server_->watches_, *session_);
  session_->expired = true;
  session_->suspended = false;
  session_->held_back.clear();
  session_->post_state(connection_state::expired);
}

void fake_zk_client::suspend() {
  std::lock_guard<std::mutex> lock(server_->mutex_);
  if (session_->closed || session_->expired || session_->suspended)
    return;
  session_->suspended = true;
  session_->post_state(connection_state::suspended);
}

void fake_zk_client::reconnect() {
  std::lock_guard<std::mutex> lock(server_->mutex_);
  if (session_->closed || session_->expired || !session_->suspended)
    return;
  session_->suspended = false;
  session_->post_state(connection_state::reconnected);
  for (auto& fn : session_->held_back)
    session_->enqueue(std::move(fn));
  session_->held_back.clear();
}

void fake_zk_client::flush_events() {
  session_->flush();
}

}  // namespace fjord::zk
