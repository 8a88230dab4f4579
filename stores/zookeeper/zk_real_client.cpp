#include "stores/zookeeper/zk_real_client.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zookeeper/zookeeper.h>

namespace fjord::zk {

struct real_zk_client::watch_context {
  watch_callback callback;
};

namespace {

int zoo_mode(create_mode mode) {
  switch (mode) {
    case create_mode::persistent:
      return ZOO_PERSISTENT;
    case create_mode::ephemeral:
      return ZOO_EPHEMERAL;
    case create_mode::persistent_sequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case create_mode::ephemeral_sequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

node_stat to_stat(const Stat& s) {
  node_stat out;
  out.czxid = s.czxid;
  out.mzxid = s.mzxid;
  out.version = s.version;
  out.cversion = s.cversion;
  out.ephemeral_owner = s.ephemeralOwner;
  out.num_children = s.numChildren;
  out.ctime_ms = s.ctime;
  out.mtime_ms = s.mtime;
  return out;
}

/// The C client's own log goes to spdlog at debug level: its connection-refused lines while a
/// server restarts are expected, and our return codes already say what went wrong.
void log_to_spdlog(const char* message) {
  spdlog::debug("zookeeper client: {}", message);
}

void ignore_events(zhandle_t*, int, int, const char*, void*) {
}

void require_absolute(const std::string& path, const char* what) {
  if (path.empty() || path[0] != '/')
    throw zk_error(error_code::bad_arguments, path, what);
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

}  // namespace

error_code from_zoo_rc(int rc) {
  switch (rc) {
    case ZOK:
      return error_code::ok;
    case ZNONODE:
      return error_code::no_node;
    case ZNODEEXISTS:
      return error_code::node_exists;
    case ZBADVERSION:
      return error_code::bad_version;
    case ZNOTEMPTY:
      return error_code::not_empty;
    case ZNOCHILDRENFOREPHEMERALS:
      return error_code::no_children_for_ephemerals;
    case ZCONNECTIONLOSS:
    case ZSESSIONMOVED:  // the session moved to another server: the request may be retried
      return error_code::connection_loss;
    case ZSESSIONEXPIRED:
    case ZINVALIDSTATE:  // the handle is expired (or auth failed): same as a lost session
    case ZAUTHFAILED:
    case ZSESSIONCLOSEDREQUIRESASLAUTH:
      return error_code::session_expired;
    case ZOPERATIONTIMEOUT:
    case ZTHROTTLEDOP:  // "not executed at all, please retry"
      return error_code::operation_timeout;
    case ZCLOSING:
      return error_code::closing;
    case ZBADARGUMENTS:
    case ZINVALIDACL:
    case ZINVALIDCALLBACK:
      return error_code::bad_arguments;
    case ZMARSHALLINGERROR:
      return error_code::marshalling_error;
    case ZNOAUTH:
      return error_code::no_auth;
    default:
      return error_code::system_error;
  }
}

real_zk_client::real_zk_client(connect_options options) : options_(std::move(options)) {
  root_ = options_.root == "/" ? "" : options_.root;
}

std::shared_ptr<real_zk_client> real_zk_client::connect(const connect_options& options) {
  if (!options.root.empty() && options.root[0] != '/')
    throw zk_error(error_code::bad_arguments, options.root, "connect with root");
  if (options.session_timeout_ms <= 0 || options.connection_timeout_ms <= 0)
    throw zk_error(error_code::bad_arguments, options.root, "connect with a timeout <= 0, root");
  if (options.acl == acl_mode::creator && options.digest.empty())
    throw zk_error(error_code::bad_arguments, options.root,
                   "connect with acl creator but no identity (digest) for root");
  std::shared_ptr<real_zk_client> c(new real_zk_client(options));
  zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
  zhandle_t* zh = zookeeper_init2(options.quorum.c_str(), &real_zk_client::on_session_event,
                                  static_cast<int>(options.session_timeout_ms), nullptr,
                                  c.get(), 0, &log_to_spdlog);
  if (zh == nullptr)
    throw zk_error(error_code::bad_arguments, options.root,
                   fmt::format("connect to '{}' (not a valid host:port list), root",
                               options.quorum));
  {
    std::unique_lock<std::shared_mutex> lock(c->handle_mutex_);
    c->zh_ = zh;
  }
  bool up = false;
  {
    std::unique_lock<std::mutex> lock(c->state_mutex_);
    up = c->state_cv_.wait_for(lock, std::chrono::milliseconds(options.connection_timeout_ms),
                               [&] { return c->ever_connected_; });
  }
  if (!up) {
    c->close();
    throw zk_error(error_code::connection_loss, options.root,
                   fmt::format("could not connect to {} within {} ms (is ZooKeeper running "
                               "there?), root",
                               options.quorum, options.connection_timeout_ms));
  }
  if (!options.digest.empty())
    c->authenticate();
  c->create_recursive("/");
  spdlog::debug("ZooKeeper session {:x} connected to {} (root {}, timeout {} ms)",
                c->session_id(), options.quorum, options.root, c->session_timeout_ms());
  return c;
}

namespace {

struct auth_wait {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<int> rc;
};

void on_auth_done(int rc, const void* data) {
  auto wait = static_cast<std::shared_ptr<auth_wait>*>(const_cast<void*>(data));
  {
    std::lock_guard<std::mutex> lock((*wait)->mutex);
    (*wait)->rc = rc;
  }
  (*wait)->cv.notify_all();
  delete wait;
}

}  // namespace

void real_zk_client::authenticate() {
  // The completion may come after we gave up waiting: it owns a reference of its own.
  auto wait = std::make_shared<auth_wait>();
  int rc = 0;
  {
    auto lock = lock_handle("/", "authenticate");
    auto* ref = new std::shared_ptr<auth_wait>(wait);
    rc = zoo_add_auth(zh_, "digest", options_.digest.data(),
                      static_cast<int>(options_.digest.size()), &on_auth_done, ref);
    if (rc != ZOK)
      delete ref;
  }
  if (rc == ZOK) {
    std::unique_lock<std::mutex> lock(wait->mutex);
    if (!wait->cv.wait_for(lock, std::chrono::milliseconds(options_.connection_timeout_ms),
                           [&] { return wait->rc.has_value(); }))
      rc = ZOPERATIONTIMEOUT;
    else
      rc = *wait->rc;
  }
  if (rc != ZOK) {
    close();
    throw zk_error(rc == ZAUTHFAILED ? error_code::bad_arguments : from_zoo_rc(rc), options_.root,
                   fmt::format("digest authentication at {} failed ({}; is "
                               "recovery.zookeeper.auth.digest-file one line user:password?), "
                               "root",
                               options_.quorum, zerror(rc)));
  }
}

void real_zk_client::warn_if_open(const std::string& full) {
  {
    std::lock_guard<std::mutex> lock(acl_checked_mutex_);
    if (!acl_checked_.insert(full).second)
      return;
  }
  ACL_vector acls{};
  Stat stat{};
  if (zoo_get_acl(zh_, full.c_str(), &acls, &stat) != ZOK)
    return;  // we may not even read it: then it is no open node either
  bool open = false;
  for (int i = 0; i < acls.count; ++i)
    if (std::string(acls.data[i].id.scheme) == "world" && (acls.data[i].perms & ~ZOO_PERM_READ))
      open = true;
  deallocate_ACL_vector(&acls);
  if (open)
    spdlog::warn("ZooKeeper node {} exists with an ACL that lets anyone change or delete what "
                 "is below it (created with recovery.zookeeper.client.acl: open, or by someone "
                 "else): Fjord's nodes below it can be deleted by strangers; remove it or "
                 "restrict it (zkCli setAcl) before relying on acl creator",
                 full);
}

const ACL_vector* real_zk_client::acl() const {
  return options_.acl == acl_mode::creator ? &ZOO_CREATOR_ALL_ACL : &ZOO_OPEN_ACL_UNSAFE;
}

real_zk_client::~real_zk_client() {
  close();
}

void real_zk_client::on_session_event(zhandle_t* zh, int type, int state, const char*,
                                      void* ctx) {
  if (type != ZOO_SESSION_EVENT)
    return;  // we never use the global watcher for node watches
  static_cast<real_zk_client*>(ctx)->handle_session_state(zh, state);
}

void real_zk_client::handle_session_state(_zhandle* zh, int zstate) {
  connection_state next;
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    if (zstate == ZOO_CONNECTED_STATE) {
      if (!ever_connected_) {
        // connect() is still waiting: nobody can have set a listener yet.
        ever_connected_ = true;
        state_ = connection_state::connected;
        session_id_ = zoo_client_id(zh)->client_id;
        state_cv_.notify_all();
        return;
      }
      if (state_ != connection_state::suspended)
        return;
      next = connection_state::reconnected;
    } else if (zstate == ZOO_CONNECTING_STATE || zstate == ZOO_ASSOCIATING_STATE) {
      if (!ever_connected_ || state_ == connection_state::suspended ||
          state_ == connection_state::expired)
        return;
      next = connection_state::suspended;
    } else if (zstate == ZOO_EXPIRED_SESSION_STATE || zstate == ZOO_AUTH_FAILED_STATE) {
      if (state_ == connection_state::expired)
        return;
      next = connection_state::expired;
    } else {
      return;
    }
    state_ = next;
    state_cv_.notify_all();
  }
  spdlog::debug("ZooKeeper session {:x}: {}", session_id_, to_string(next));
  notify(next);
}

void real_zk_client::notify(connection_state s) {
  connection_listener copy;
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    copy = listener_;
  }
  if (!copy)
    return;
  try {
    copy(s);
  } catch (const std::exception& e) {
    spdlog::error("ZooKeeper connection listener threw: {}", e.what());
  }
}

void real_zk_client::on_watch_event(zhandle_t* zh, int type, int state, const char* path,
                                    void* ctx) {
  // The handle's context is the client; `ctx` may only be touched once we own it.
  auto* self = static_cast<real_zk_client*>(const_cast<void*>(zoo_get_context(zh)));
  auto* w = static_cast<watch_context*>(ctx);
  if (type == ZOO_SESSION_EVENT) {
    // Every registered watcher also sees session events; only a lost session ends it.
    if ((state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) &&
        self->release_watch(w))
      delete w;
    return;
  }
  if (!self->release_watch(w))
    return;
  std::unique_ptr<watch_context> owned(w);
  watch_event event;
  if (type == ZOO_CREATED_EVENT)
    event.type = watch_event_type::created;
  else if (type == ZOO_DELETED_EVENT)
    event.type = watch_event_type::deleted;
  else if (type == ZOO_CHANGED_EVENT)
    event.type = watch_event_type::changed;
  else if (type == ZOO_CHILD_EVENT)
    event.type = watch_event_type::child;
  else
    return;  // ZOO_NOTWATCHING_EVENT: the watch was removed
  event.path = self->relative_path(path != nullptr ? path : "");
  try {
    owned->callback(event);
  } catch (const std::exception& e) {
    spdlog::error("ZooKeeper watch callback for {} threw: {}", event.path, e.what());
  }
}

real_zk_client::watch_context* real_zk_client::new_watch(watch_callback callback) {
  auto* w = new watch_context{std::move(callback)};
  std::lock_guard<std::mutex> lock(watches_mutex_);
  watches_.insert(w);
  return w;
}

bool real_zk_client::release_watch(watch_context* w) {
  std::lock_guard<std::mutex> lock(watches_mutex_);
  return watches_.erase(w) > 0;
}

std::string real_zk_client::full_path(const std::string& path) const {
  if (root_.empty())
    return path;
  return path == "/" ? root_ : root_ + path;
}

std::string real_zk_client::relative_path(const std::string& full) const {
  if (root_.empty())
    return full;
  if (full == root_)
    return "/";
  if (full.size() > root_.size() && full.compare(0, root_.size(), root_) == 0 &&
      full[root_.size()] == '/')
    return full.substr(root_.size());
  return full;
}

real_zk_client::handle_lock real_zk_client::lock_handle(const std::string& path,
                                                        const char* what) const {
  handle_lock lock(handle_mutex_);
  if (closed_ || zh_ == nullptr)
    throw zk_error(error_code::closing, path, what);
  {
    std::lock_guard<std::mutex> state_lock(state_mutex_);
    if (state_ == connection_state::expired)
      throw zk_error(error_code::session_expired, path, what);
  }
  return lock;
}

void real_zk_client::fail(int rc, const std::string& path, const char* what) const {
  throw zk_error(from_zoo_rc(rc), path, what);
}

std::string real_zk_client::create(const std::string& path, const std::string& data,
                                   create_mode mode) {
  require_absolute(path, "create");
  auto lock = lock_handle(path, "create");
  auto full = full_path(path);
  std::vector<char> created(full.size() + 32, '\0');
  int rc = zoo_create(zh_, full.c_str(), data.data(), static_cast<int>(data.size()),
                      acl(), zoo_mode(mode), created.data(),
                      static_cast<int>(created.size()));
  if (rc != ZOK)
    fail(rc, path, "create");
  return relative_path(created.data());
}

void real_zk_client::create_recursive(const std::string& path) {
  require_absolute(path, "create");
  auto lock = lock_handle(path, "create");
  auto full = full_path(path);
  if (full == "/")
    return;
  std::size_t pos = 0;
  do {
    pos = full.find('/', pos + 1);
    auto prefix = full.substr(0, pos);
    int rc = zoo_create(zh_, prefix.c_str(), "", 0, acl(), ZOO_PERSISTENT,
                        nullptr, 0);
    // A node that exists needs no creating, even where its parent's ACL would refuse us.
    if (rc != ZOK && rc != ZNODEEXISTS && zoo_exists(zh_, prefix.c_str(), 0, nullptr) == ZOK)
      rc = ZNODEEXISTS;
    if (rc != ZOK && rc != ZNODEEXISTS)
      fail(rc, path, "create");
    if (rc == ZNODEEXISTS && options_.acl == acl_mode::creator)
      warn_if_open(prefix);
  } while (pos != std::string::npos);
}

std::optional<get_result> real_zk_client::get(const std::string& path, watch_callback watch) {
  require_absolute(path, "get");
  auto lock = lock_handle(path, "get");
  auto full = full_path(path);
  watch_context* w = watch ? new_watch(std::move(watch)) : nullptr;
  std::vector<char> buffer(4096);
  int length = static_cast<int>(buffer.size());
  Stat stat{};
  int rc = zoo_wget(zh_, full.c_str(), w != nullptr ? &on_watch_event : nullptr, w,
                    buffer.data(), &length, &stat);
  if (rc != ZOK && w != nullptr && release_watch(w))
    delete w;  // not registered: zoo_wget sets a watch only on success
  if (rc == ZNONODE)
    return std::nullopt;
  if (rc != ZOK)
    fail(rc, path, "get");
  // The data did not fit: read again with room for it (the watch is already set).
  while (stat.dataLength > length) {
    buffer.resize(static_cast<std::size_t>(stat.dataLength));
    length = static_cast<int>(buffer.size());
    rc = zoo_wget(zh_, full.c_str(), nullptr, nullptr, buffer.data(), &length, &stat);
    if (rc == ZNONODE)
      return std::nullopt;
    if (rc != ZOK)
      fail(rc, path, "get");
  }
  get_result result;
  result.data.assign(buffer.data(), static_cast<std::size_t>(std::max(length, 0)));
  result.stat = to_stat(stat);
  return result;
}

node_stat real_zk_client::set(const std::string& path, const std::string& data,
                              std::int32_t version) {
  require_absolute(path, "set");
  auto lock = lock_handle(path, "set");
  auto full = full_path(path);
  Stat stat{};
  int rc = zoo_set2(zh_, full.c_str(), data.data(), static_cast<int>(data.size()), version,
                    &stat);
  if (rc != ZOK)
    fail(rc, path, "set");
  return to_stat(stat);
}

void real_zk_client::remove(const std::string& path, std::int32_t version) {
  require_absolute(path, "delete");
  auto lock = lock_handle(path, "delete");
  int rc = zoo_delete(zh_, full_path(path).c_str(), version);
  if (rc != ZOK)
    fail(rc, path, "delete");
}

void real_zk_client::remove_recursive(const std::string& path) {
  require_absolute(path, "delete");
  // Not atomic: a child created concurrently makes the parent's delete fail with not_empty,
  // so the walk is repeated a few times before giving up.
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> names;
    try {
      names = children(path).names;
    } catch (const zk_error& e) {
      if (e.code() == error_code::no_node)
        return;
      throw;
    }
    for (const auto& name : names)
      remove_recursive(child_path(path, name));
    try {
      remove(path, -1);
      return;
    } catch (const zk_error& e) {
      if (e.code() == error_code::no_node)
        return;
      if (e.code() != error_code::not_empty || attempt >= 5)
        throw;
    }
  }
}

std::optional<node_stat> real_zk_client::exists(const std::string& path, watch_callback watch) {
  require_absolute(path, "exists");
  auto lock = lock_handle(path, "exists");
  watch_context* w = watch ? new_watch(std::move(watch)) : nullptr;
  Stat stat{};
  int rc = zoo_wexists(zh_, full_path(path).c_str(), w != nullptr ? &on_watch_event : nullptr,
                       w, &stat);
  // zoo_wexists sets a watch on success and on ZNONODE (then it fires on creation).
  if (rc != ZOK && rc != ZNONODE && w != nullptr && release_watch(w))
    delete w;
  if (rc == ZNONODE)
    return std::nullopt;
  if (rc != ZOK)
    fail(rc, path, "exists");
  return to_stat(stat);
}

children_result real_zk_client::children(const std::string& path, watch_callback watch) {
  require_absolute(path, "get children of");
  auto lock = lock_handle(path, "get children of");
  watch_context* w = watch ? new_watch(std::move(watch)) : nullptr;
  String_vector strings{};
  Stat stat{};
  int rc = zoo_wget_children2(zh_, full_path(path).c_str(),
                              w != nullptr ? &on_watch_event : nullptr, w, &strings, &stat);
  if (rc != ZOK && w != nullptr && release_watch(w))
    delete w;
  if (rc != ZOK)
    fail(rc, path, "get children of");
  children_result result;
  for (int i = 0; i < strings.count; ++i)
    result.names.emplace_back(strings.data[i]);
  deallocate_String_vector(&strings);
  result.stat = to_stat(stat);
  return result;
}

std::vector<op_result> real_zk_client::multi(const std::vector<op>& ops) {
  if (ops.empty())
    return {};
  for (const auto& o : ops)
    require_absolute(o.path, "multi");
  auto lock = lock_handle(ops.front().path, "multi");
  // zoo_multi keeps pointers to the paths, data and buffers: all must outlive the call.
  auto n = ops.size();
  std::vector<std::string> paths;
  paths.reserve(n);
  std::vector<std::vector<char>> created(n);
  std::vector<Stat> stats(n);
  std::vector<zoo_op_t> zops(n);
  std::vector<zoo_op_result_t> results(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& o = ops[i];
    paths.push_back(full_path(o.path));
    const char* p = paths.back().c_str();
    switch (o.type) {
      case op::kind::create:
        created[i].assign(paths.back().size() + 32, '\0');
        zoo_create_op_init(&zops[i], p, o.data.data(), static_cast<int>(o.data.size()),
                           acl(), zoo_mode(o.mode), created[i].data(),
                           static_cast<int>(created[i].size()));
        break;
      case op::kind::remove:
        zoo_delete_op_init(&zops[i], p, o.version);
        break;
      case op::kind::set:
        zoo_set_op_init(&zops[i], p, o.data.data(), static_cast<int>(o.data.size()), o.version,
                        &stats[i]);
        break;
      case op::kind::check:
        zoo_check_op_init(&zops[i], p, o.version);
        break;
    }
  }
  int rc = zoo_multi(zh_, static_cast<int>(n), zops.data(), results.data());
  if (rc != ZOK) {
    // The failing operation carries the real cause; the others say "rolled back".
    for (std::size_t i = 0; i < n; ++i)
      if (results[i].err != ZOK && results[i].err != ZRUNTIMEINCONSISTENCY)
        fail(results[i].err, ops[i].path, "multi");
    fail(rc, ops.front().path, "multi");
  }
  std::vector<op_result> out(n);
  for (std::size_t i = 0; i < n; ++i)
    if (ops[i].type == op::kind::create)
      out[i].created_path = relative_path(created[i].data());
  return out;
}

void real_zk_client::set_connection_listener(connection_listener listener) {
  std::lock_guard<std::mutex> lock(state_mutex_);
  listener_ = std::move(listener);
}

std::int64_t real_zk_client::session_id() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return session_id_;
}

std::int64_t real_zk_client::session_timeout_ms() const {
  handle_lock lock(handle_mutex_);
  if (zh_ == nullptr)
    return options_.session_timeout_ms;
  return zoo_recv_timeout(zh_);
}

connection_state real_zk_client::state() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return state_;
}

void real_zk_client::kill_session_for_testing() {
  clientid_t id{};
  {
    auto lock = lock_handle("/", "kill session");
    id = *zoo_client_id(zh_);
  }
  // This client must not win its session back before the second handle's close arrives (the
  // server would refuse that close as "session moved"): meanwhile it is pointed at a port
  // nobody listens on. Tried a few times all the same.
  auto point_at = [this](const std::string& servers) {
    auto lock = lock_handle("/", "kill session");
    zoo_set_servers(zh_, servers.c_str());
  };
  for (int attempt = 1; attempt <= 5; ++attempt) {
    point_at("127.0.0.1:1");
    zhandle_t* other = zookeeper_init2(options_.quorum.c_str(), &ignore_events,
                                       static_cast<int>(options_.session_timeout_ms), &id,
                                       nullptr, 0, &log_to_spdlog);
    if (other == nullptr) {
      point_at(options_.quorum);
      throw zk_error(error_code::system_error, "/", "kill session (second handle)");
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(options_.connection_timeout_ms);
    while (zoo_state(other) != ZOO_CONNECTED_STATE &&
           zoo_state(other) != ZOO_EXPIRED_SESSION_STATE &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    zookeeper_close(other);  // closes the shared session on the server
    point_at(options_.quorum);  // back to the server, which reports the session expired
    std::unique_lock<std::mutex> lock(state_mutex_);
    if (state_cv_.wait_for(lock, std::chrono::seconds(2),
                           [&] { return state_ == connection_state::expired; }))
      return;
  }
  throw zk_error(error_code::system_error, "/", "kill session (it survived 5 attempts)");
}

void real_zk_client::close() {
  zhandle_t* zh = nullptr;
  {
    std::unique_lock<std::shared_mutex> lock(handle_mutex_);
    if (closed_)
      return;
    closed_ = true;
    zh = zh_;
    zh_ = nullptr;
  }
  if (zh != nullptr)
    zookeeper_close(zh);  // joins the C client's threads: no callback runs after this
  std::set<watch_context*> left;
  {
    std::lock_guard<std::mutex> lock(watches_mutex_);
    left.swap(watches_);
  }
  for (auto* w : left)
    delete w;
}

}  // namespace fjord::zk
