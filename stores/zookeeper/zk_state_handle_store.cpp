#include "stores/zookeeper/zk_state_handle_store.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace fjord {

namespace {

using kind = store_error::kind;

void check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    throw store_error(kind::invalid_argument,
                      fmt::format("'{}' is not a valid entry name (one path segment)", name));
}

bool is_sequential(zk::create_mode mode) {
  return mode == zk::create_mode::persistent_sequential
         || mode == zk::create_mode::ephemeral_sequential;
}

std::string last_segment(const std::string& path) {
  auto pos = path.rfind('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

}  // namespace

namespace {

// The store could not find out whether its write happened: whatever the first error said,
// the caller must treat the outcome as unknown.
store_error outcome_unknown(const zk::zk_error& e) {
  return store_error(store_error::kind::unavailable,
                     std::string{e.what()} + " (outcome unknown: ZooKeeper unreachable)");
}

}  // namespace

store_error to_store_error(const zk::zk_error& e) {
  using ec = zk::error_code;
  switch (e.code()) {
    case ec::no_node:
      return store_error(kind::not_found, e.what());
    case ec::node_exists:
    case ec::bad_version:
    case ec::not_empty:
      return store_error(kind::conflict, e.what());
    case ec::bad_arguments:
    case ec::no_children_for_ephemerals:
      return store_error(kind::invalid_argument, e.what());
    case ec::ok:
    case ec::connection_loss:
    case ec::session_expired:
    case ec::operation_timeout:
    case ec::closing:
    case ec::marshalling_error:
    case ec::no_auth:
    case ec::system_error:
      return store_error(kind::unavailable, e.what());
  }
  return store_error(kind::unavailable, e.what());
}

zk_handle_store::zk_handle_store(zk::client_ptr client, std::string root,
                                 std::shared_ptr<file_state_storage> storage,
                                 std::string file_prefix, zk::retry_policy retry)
  : client_(std::move(client)),
    root_(std::move(root)),
    storage_(std::move(storage)),
    file_prefix_(std::move(file_prefix)),
    retry_(retry) {
  if (!client_ || !storage_)
    throw store_error(kind::invalid_argument, "a state handle store needs a client and storage");
  if (root_.empty() || root_.front() != '/' || (root_.size() > 1 && root_.back() == '/'))
    throw store_error(kind::invalid_argument,
                      fmt::format("'{}' is not an absolute znode path", root_));
}

std::string zk_handle_store::path_of(const std::string& name) const {
  return root_ == "/" ? "/" + name : root_ + "/" + name;
}

void zk_handle_store::ensure_root() {
  store_call(retry_, [&] { client_->create_recursive(root_); });
}

std::string zk_handle_store::add(const std::string& name, record_type type,
                                 const std::string& sealed, zk::create_mode mode) {
  check_name(name);
  return create_for(name, storage_->store(type, sealed, file_prefix_), mode);
}

bool zk_handle_store::fence_is_gone(const std::string& fence) {
  try {
    return !retry_.run([&] { return client_->exists(fence); });
  } catch (const zk::zk_error&) {
    return false;  // unknown: the caller's own error handling decides
  }
}

state_handle zk_handle_store::add_subsuming(const std::string& name, record_type type,
                                            const std::string& sealed,
                                            const std::vector<subsumed_entry>& subsumed) {
  check_name(name);
  for (auto& s : subsumed)
    check_name(s.name);
  auto handle = storage_->store(type, sealed, file_prefix_);
  auto fence = fence_ ? fence_() : std::string{};
  if (subsumed.empty() && fence.empty()) {
    create_for(name, handle, zk::create_mode::persistent);
    return handle;
  }
  auto path = path_of(name);
  std::vector<zk::op> ops;
  if (!fence.empty())
    ops.push_back(zk::op::check(fence, -1));
  ops.push_back(zk::op::create(path, encode(handle)));
  for (auto& s : subsumed)
    ops.push_back(zk::op::remove(path_of(s.name), s.version));
  try {
    retry_.run([&] { return client_->multi(ops); });
  } catch (const zk::zk_error& e) {
    if (!fence.empty() && fence_is_gone(fence)) {
      // A deposed leader's write, perhaps re-run by a renewed session long after the next
      // leader took over (issue 9, defect 5): it must not land.
      if (probe(path, handle.path) != pointer::to_file) {
        discard_quietly(handle, "its leadership is gone");
        throw store_error(kind::fenced,
                          fmt::format("{} not created: the leadership it was written under is "
                                      "gone ({} does not exist)",
                                      path, fence));
      }
      spdlog::info("transaction creating {} reported '{}' but it was applied", path,
                   zk::to_string(e.code()));
      for (auto& s : subsumed)
        discard_quietly(s.handle, "it was subsumed");
      return handle;
    }
    // The transaction is atomic: the new znode pointing to the new file proves all of it.
    switch (probe(path, handle.path)) {
      case pointer::to_file:
        spdlog::info("transaction creating {} reported '{}' but it was applied", path,
                     zk::to_string(e.code()));
        break;
      case pointer::unknown:
        spdlog::warn("transaction creating {} failed ({}) and its outcome cannot be checked: "
                     "file {} is kept",
                     path, zk::to_string(e.code()), handle.path);
        throw outcome_unknown(e);
      case pointer::elsewhere:
        discard_quietly(handle, "its znode exists already");
        throw store_error(kind::conflict, fmt::format("{} exists already", path));
      case pointer::missing:
        if (!zk::is_user_error(e.code())) {
          discard_quietly(handle, "its znode was not created");
          throw to_store_error(e);
        }
        // A subsumed entry is gone or changed, or the root is missing: store the new entry on
        // its own first (still fenced), then remove the old ones.
        if (fence.empty()) {
          create_for(name, handle, zk::create_mode::persistent);
        } else {
          try {
            ensure_root();
            retry_.run([&] {
              return client_->multi({zk::op::check(fence, -1),
                                     zk::op::create(path, encode(handle))});
            });
          } catch (const zk::zk_error& again) {
            discard_quietly(handle, "its znode was not created");
            if (fence_is_gone(fence))
              throw store_error(kind::fenced,
                                fmt::format("{} not created: the leadership it was written "
                                            "under is gone",
                                            path));
            throw to_store_error(again);
          }
        }
        for (auto& s : subsumed) {
          try {
            remove_and_discard(s.name);
          } catch (const store_error& err) {
            spdlog::warn("cannot remove subsumed entry {}: {}", path_of(s.name), err.what());
          }
        }
        return handle;
    }
  }
  for (auto& s : subsumed)
    discard_quietly(s.handle, "it was subsumed");
  return handle;
}

std::string zk_handle_store::create_for(const std::string& name, const state_handle& handle,
                                        zk::create_mode mode) {
  auto path = path_of(name);
  auto data = encode(handle);
  auto create = [&] { return retry_.run([&] { return client_->create(path, data, mode); }); };
  try {
    try {
      return last_segment(create());
    } catch (const zk::zk_error& e) {
      if (e.code() != zk::error_code::no_node)
        throw;
      // The root is gone (a terminal shutdown deletes it): create it and try once more.
      retry_.run([&] { client_->create_recursive(root_); });
      return last_segment(create());
    }
  } catch (const zk::zk_error& e) {
    auto [where, actual] = is_sequential(mode) ? probe_sequential(name, handle.path)
                                               : std::make_pair(probe(path, handle.path), name);
    switch (where) {
      case pointer::to_file:
        spdlog::info("create of {} reported '{}' but it was applied", path_of(actual),
                     zk::to_string(e.code()));
        return actual;
      case pointer::unknown:
        spdlog::warn("create of {} failed ({}) and its outcome cannot be checked: file {} is "
                     "kept (an orphan if the create did not happen)",
                     path, zk::to_string(e.code()), handle.path);
        throw outcome_unknown(e);
      case pointer::missing:
      case pointer::elsewhere:
        discard_quietly(handle, "its znode was not created");
        break;
    }
    throw to_store_error(e);
  }
}

void zk_handle_store::replace(const std::string& name, std::int32_t expected_version,
                              record_type type, const std::string& sealed) {
  check_name(name);
  auto path = path_of(name);
  auto old = store_call(retry_, [&] { return client_->get(path); });
  if (!old)
    throw store_error(kind::not_found, fmt::format("cannot replace {}: no such znode", path));
  // "Any version" still means the version just read: the old file is the one to delete only if
  // nobody changed the znode in between.
  auto version = expected_version < 0 ? old->stat.version : expected_version;
  std::optional<state_handle> old_handle;
  try {
    old_handle = decode<state_handle>(old->data);
  } catch (const envelope_error& e) {
    spdlog::warn("znode {} held no valid state handle ({}); replacing it anyway", path,
                 e.what());
  }
  auto handle = storage_->store(type, sealed, file_prefix_);
  try {
    retry_.run([&] { return client_->set(path, encode(handle), version); });
  } catch (const zk::zk_error& e) {
    switch (probe(path, handle.path)) {
      case pointer::to_file:
        spdlog::info("set of {} reported '{}' but it was applied", path,
                     zk::to_string(e.code()));
        break;
      case pointer::unknown:
        spdlog::warn("set of {} failed ({}) and its outcome cannot be checked: both files are "
                     "kept",
                     path, zk::to_string(e.code()));
        throw outcome_unknown(e);
      case pointer::missing:
      case pointer::elsewhere:
        discard_quietly(handle, "the znode was not updated");
        throw to_store_error(e);
    }
  }
  if (old_handle && old_handle->path != handle.path)
    discard_quietly(*old_handle, "it was replaced");
}

std::optional<stored_entry> zk_handle_store::read(const std::string& name) {
  auto path = path_of(name);
  auto raw = store_call(retry_, [&] { return client_->get(path); });
  if (!raw)
    return std::nullopt;
  stored_entry entry;
  entry.name = name;
  entry.version = raw->stat.version;
  try {
    entry.handle = decode<state_handle>(raw->data);
  } catch (const envelope_error& e) {
    throw store_error(kind::corrupt,
                      fmt::format("znode {} holds no valid state handle: {}", path, e.what()));
  }
  try {
    entry.bytes = storage_->load(entry.handle);
  } catch (const store_error& e) {
    if (e.which() == kind::not_found)
      throw store_error(kind::corrupt, fmt::format("znode {} points to a missing file: {}", path,
                                                   e.what()));
    throw store_error(e.which() == kind::io ? kind::io : kind::corrupt,
                      fmt::format("znode {}: {}", path, e.what()));
  }
  return entry;
}

std::optional<stored_entry> zk_handle_store::read_retrying_io(const std::string& name) {
  for (int retry = 0;; ++retry) {
    try {
      return read(name);
    } catch (const store_error& e) {
      if (e.which() != kind::io || retry >= 3)
        throw;
      auto wait = std::chrono::milliseconds{50 << (2 * retry)};  // 50, 200, 800 ms
      spdlog::warn("{} (retrying in {} ms)", e.what(), wait.count());
      std::this_thread::sleep_for(wait);
    }
  }
}

stored_entry zk_handle_store::get(const std::string& name) {
  check_name(name);
  std::optional<stored_entry> entry;
  try {
    entry = read_retrying_io(name);
  } catch (const store_error& e) {
    if (e.which() == kind::unavailable || e.which() == kind::io)
      throw;
    // A concurrent replace or remove deletes the old file right after changing the znode:
    // read once more before calling the entry unreadable.
    entry = read(name);
  }
  if (!entry)
    throw store_error(kind::not_found, fmt::format("no znode {}", path_of(name)));
  return std::move(*entry);
}

std::int32_t zk_handle_store::exists(const std::string& name) {
  check_name(name);
  auto stat = store_call(retry_, [&] { return client_->exists(path_of(name)); });
  return stat ? stat->version : -1;
}

std::vector<std::string> zk_handle_store::names() {
  try {
    return retry_.run([&] { return client_->children(root_); }).names;
  } catch (const zk::zk_error& e) {
    if (e.code() == zk::error_code::no_node)
      return {};
    throw to_store_error(e);
  }
}

std::vector<stored_entry> zk_handle_store::get_all(std::vector<unreadable_entry>* unreadable) {
  for (int pass = 1; pass <= max_listing_passes; ++pass) {
    if (pass > 1)
      std::this_thread::sleep_for(std::chrono::milliseconds{std::min(pass, 20)});
    zk::children_result listing;
    try {
      listing = retry_.run([&] { return client_->children(root_); });
    } catch (const zk::zk_error& e) {
      if (e.code() == zk::error_code::no_node)
        return {};
      throw to_store_error(e);
    }
    std::sort(listing.names.begin(), listing.names.end());
    // A fresh result on every pass: a retried pass must not return duplicates.
    std::vector<stored_entry> result;
    std::vector<std::pair<unreadable_entry, std::int32_t>> bad;
    bool changed = false;
    for (auto& name : listing.names) {
      try {
        auto entry = read_retrying_io(name);
        if (!entry) {
          changed = true;  // deleted between listing and reading
          break;
        }
        result.push_back(std::move(*entry));
      } catch (const store_error& e) {
        // An I/O error (EIO, EMFILE, a network file system's hiccup) says nothing about the
        // entry: skipping it as unreadable would make recovery fall back to an older entry, or
        // to none, and start over (issue 9, defect 3). The caller retries the whole read.
        if (e.which() == kind::unavailable || e.which() == kind::io)
          throw;
        // Remember the version: a concurrent replace or remove deletes the old file after
        // changing the znode, which looks like a missing file until the znode is read again.
        std::int32_t version = -2;
        try {
          auto stat = retry_.run([&] { return client_->exists(path_of(name)); });
          version = stat ? stat->version : -2;
        } catch (const zk::zk_error& err) {
          throw to_store_error(err);
        }
        bad.push_back({unreadable_entry{name, e.what()}, version});
      }
    }
    if (!changed) {
      try {
        auto stat = retry_.run([&] { return client_->exists(root_); });
        changed = !stat || stat->cversion != listing.stat.cversion;
        for (std::size_t i = 0; !changed && i < bad.size(); ++i) {
          // Unchanged since it was found unreadable: really unreadable.
          auto now = retry_.run([&] { return client_->exists(path_of(bad[i].first.name)); });
          changed = !now || now->version != bad[i].second;
        }
      } catch (const zk::zk_error& e) {
        throw to_store_error(e);
      }
    }
    if (changed)
      continue;
    for (auto& [entry, version] : bad) {
      spdlog::error("skipping unreadable entry {}: {}", path_of(entry.name), entry.reason);
      if (unreadable)
        unreadable->push_back(std::move(entry));
    }
    return result;
  }
  throw store_error(kind::conflict,
                    fmt::format("the children of {} kept changing during {} listing passes",
                                root_, max_listing_passes));
}

void zk_handle_store::remove(const std::string& name) {
  check_name(name);
  try {
    retry_.run([&] { client_->remove(path_of(name), -1); });
  } catch (const zk::zk_error& e) {
    if (e.code() != zk::error_code::no_node)
      throw to_store_error(e);
  }
}

void zk_handle_store::remove_and_discard(const std::string& name) {
  check_name(name);
  auto path = path_of(name);
  std::optional<zk::get_result> raw;
  try {
    raw = retry_.run([&] { return client_->get(path); });
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
  if (!raw)
    return;
  std::optional<state_handle> handle;
  try {
    handle = decode<state_handle>(raw->data);
  } catch (const envelope_error& e) {
    spdlog::warn("znode {} holds no valid state handle ({}): deleting it; its file, if any, "
                 "cannot be found",
                 path, e.what());
  }
  try {
    // With the version just read: if someone replaced the entry meanwhile, the file to discard
    // is no longer the one read here.
    retry_.run([&] { client_->remove(path, raw->stat.version); });
  } catch (const zk::zk_error& e) {
    if (e.code() == zk::error_code::bad_version)
      throw store_error(kind::conflict,
                        fmt::format("{} changed while being removed; nothing discarded", path));
    if (e.code() != zk::error_code::no_node) {
      // Did the delete happen? Only a znode that is gone proves it.
      std::optional<zk::node_stat> now;
      try {
        now = retry_.run([&] { return client_->exists(path); });
      } catch (const std::exception&) {
        throw to_store_error(e);
      }
      if (now)
        throw to_store_error(e);
    }
  }
  if (handle)
    discard_quietly(*handle, "its znode was removed");
}

void zk_handle_store::remove_and_discard_all() {
  std::optional<store_error> first;
  for (auto& name : names()) {
    try {
      remove_and_discard(name);
    } catch (const store_error& e) {
      spdlog::error("cannot remove {}: {}", path_of(name), e.what());
      if (!first)
        first = e;
    }
  }
  if (first)
    throw *first;
}

zk_handle_store::pointer zk_handle_store::probe(const std::string& path,
                                                const std::string& file) {
  try {
    auto raw = retry_.run([&] { return client_->get(path); });
    if (!raw)
      return pointer::missing;
    try {
      return decode<state_handle>(raw->data).path == file ? pointer::to_file
                                                          : pointer::elsewhere;
    } catch (const envelope_error&) {
      return pointer::elsewhere;
    }
  } catch (const std::exception&) {
    return pointer::unknown;
  }
}

std::pair<zk_handle_store::pointer, std::string>
zk_handle_store::probe_sequential(const std::string& name, const std::string& file) {
  std::vector<std::string> children;
  try {
    children = retry_.run([&] { return client_->children(root_); }).names;
  } catch (const std::exception&) {
    return {pointer::unknown, name};
  }
  bool uncertain = false;
  for (auto& child : children) {
    if (child.size() != name.size() + 10 || child.compare(0, name.size(), name) != 0)
      continue;
    auto where = probe(path_of(child), file);
    if (where == pointer::to_file)
      return {pointer::to_file, child};
    uncertain = uncertain || where == pointer::unknown;
  }
  return {uncertain ? pointer::unknown : pointer::missing, name};
}

void zk_handle_store::discard_quietly(const state_handle& handle, const std::string& why) {
  try {
    storage_->discard(handle);
  } catch (const std::exception& e) {
    spdlog::warn("cannot delete file {} ({}): {}; it stays as an orphan", handle.path, why,
                 e.what());
  }
}

}  // namespace fjord
