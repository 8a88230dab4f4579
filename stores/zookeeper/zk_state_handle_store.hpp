// "Bytes in a file, pointer in ZooKeeper": each entry is a znode under `root` holding an
// encoded state_handle; the record itself lives in a file of file_state_storage. The typed
// job-graph and completed-checkpoint stores are built on it.
//
// Loss-free ordering (DESIGN.md): add = file, then znode; replace = new file, conditional set,
// then delete the old file; remove = znode, then file. A file is never deleted while a znode
// points to it. When a ZooKeeper call fails with an uncertain outcome (connection loss: "did my
// write happen?"), the store looks at the znode before discarding anything: if the znode points
// to the new file the write happened and the call succeeds; if the znode cannot be read the new
// file is left as an orphan (a leak, never a dangling pointer) and the error is rethrown.
//
// Unreadable entries (a znode that holds no handle, a missing or corrupt file) are logged with
// spdlog naming the znode and skipped by get_all(); get() of one throws store_error(corrupt).
//
// Thread-safety: no mutable state of its own; as safe as the client (which is thread-safe).
// Callers normally own it from one store worker.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "serialization/records.hpp"
#include "stores/store_error.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord {

/// Maps a ZooKeeper error to the store error callers handle: no_node -> not_found;
/// node_exists, bad_version, not_empty -> conflict; connection trouble and a lost session ->
/// unavailable; a malformed request -> invalid_argument.
store_error to_store_error(const zk::zk_error& e);

/// Runs one ZooKeeper call under `retry`; an error that remains becomes a store_error.
template <class F>
auto store_call(const zk::retry_policy& retry, F&& call) -> decltype(call()) {
  try {
    return retry.run(std::forward<F>(call));
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
}

/// One entry as read: the znode's name and data version, its handle and the verified sealed
/// bytes of the file.
struct stored_entry {
  std::string name;
  std::int32_t version = 0;
  state_handle handle;
  std::string bytes;
};

/// An entry that could not be read: its name and why.
struct unreadable_entry {
  std::string name;
  std::string reason;
};

/// An entry to delete together with the creation of a new one (see add_subsuming()).
struct subsumed_entry {
  std::string name;
  std::int32_t version = -1;  ///< the znode version it was read or created with
  state_handle handle;        ///< its file, discarded once the znode is gone
};

/// The untyped core of zk_state_handle_store<T>: works on sealed bytes.
class zk_handle_store {
 public:
  /// `root` is the absolute znode path whose children are the entries (e.g.
  /// "/checkpoints/<job>"); `file_prefix` names the files ("completedCheckpoint").
  zk_handle_store(zk::client_ptr client, std::string root,
                  std::shared_ptr<file_state_storage> storage, std::string file_prefix,
                  zk::retry_policy retry = {});

  const std::string& root() const { return root_; }
  std::string path_of(const std::string& name) const;
  zk::client& client() { return *client_; }
  file_state_storage& storage() { return *storage_; }
  const zk::retry_policy& retry() const { return retry_; }

  /// Creates the root znode (and parents) if missing.
  void ensure_root();

  /// add_subsuming() creates its znode only in a transaction that also checks that the node
  /// `fence()` names exists (the leader's latch node); if it does not, the new file is
  /// discarded and store_error(fenced) thrown. Empty name or no fence: unfenced.
  void set_write_fence(std::function<std::string()> fence) { fence_ = std::move(fence); }

  /// Writes the file, then creates the znode; returns the znode's actual name (with the suffix
  /// for sequential modes). Throws store_error(conflict) if the name exists (the new file is
  /// discarded), others as described at the top of this file.
  std::string add(const std::string& name, record_type type, const std::string& sealed,
                  zk::create_mode mode = zk::create_mode::persistent);

  /// Writes the file, then creates the persistent znode `name` and deletes the `subsumed`
  /// znodes in one atomic multi (one round trip; never a moment with fewer entries), then
  /// discards the subsumed files. If a subsumed znode is gone or changed, the new znode is
  /// created on its own and the subsumed ones are removed one by one (failures logged).
  /// Returns the new entry's handle. Throws like add().
  state_handle add_subsuming(const std::string& name, record_type type,
                             const std::string& sealed,
                             const std::vector<subsumed_entry>& subsumed);

  /// Writes a new file, sets the znode if its version is still `expected_version`, then
  /// deletes the old file. Throws store_error(not_found) if the znode is missing,
  /// store_error(conflict) on a version mismatch; the old value then stays readable.
  void replace(const std::string& name, std::int32_t expected_version, record_type type,
               const std::string& sealed);

  /// Throws store_error(not_found) if missing, store_error(corrupt) if unreadable.
  stored_entry get(const std::string& name);

  /// The znode's data version, or -1 if it does not exist.
  std::int32_t exists(const std::string& name);

  /// The children's names, in no particular order; empty if the root does not exist.
  std::vector<std::string> names();

  /// Every readable entry, as one consistent snapshot: the root's cversion is the same before
  /// and after reading all children, else the pass starts over (bounded; then
  /// store_error(conflict)). Unreadable entries are logged and skipped (and listed in
  /// `unreadable` if given). Sorted by name.
  std::vector<stored_entry> get_all(std::vector<unreadable_entry>* unreadable = nullptr);

  /// Deletes the znode only (the file stays). A missing znode is fine.
  void remove(const std::string& name);

  /// Deletes the znode, then its file. A missing znode is fine. Throws store_error(conflict)
  /// if the znode changed between reading and deleting it (then nothing is discarded).
  void remove_and_discard(const std::string& name);

  /// remove_and_discard() of every child, unreadable ones included (their znode is deleted;
  /// a file a corrupt znode pointed to cannot be known and stays). Tries every child and then
  /// rethrows the first error.
  void remove_and_discard_all();

  /// How many listing passes get_all() makes before it gives up.
  static constexpr int max_listing_passes = 32;

 private:
  enum class pointer { to_file, elsewhere, missing, unknown };
  /// Where the znode at `path` points now; `unknown` if it cannot be read.
  pointer probe(const std::string& path, const std::string& file);
  /// For sequential creates: the name of the child of `name`'s family pointing to `file`.
  std::pair<pointer, std::string> probe_sequential(const std::string& name,
                                                   const std::string& file);
  void discard_quietly(const state_handle& handle, const std::string& why);
  /// Creates the znode for an already written file; on failure discards the file unless the
  /// znode turns out to point to it (then succeeds) or cannot be checked (then keeps it).
  std::string create_for(const std::string& name, const state_handle& handle,
                         zk::create_mode mode);
  /// Reads one entry; nullopt if the znode vanished. Throws store_error(corrupt) and
  /// store_error(io) for unreadable ones.
  std::optional<stored_entry> read(const std::string& name);
  /// read(), retrying an I/O error three times (50, 200, 800 ms) before throwing it.
  std::optional<stored_entry> read_retrying_io(const std::string& name);
  /// True if the fence node is known not to exist.
  bool fence_is_gone(const std::string& fence);

  zk::client_ptr client_;
  std::string root_;
  std::shared_ptr<file_state_storage> storage_;
  std::string file_prefix_;
  zk::retry_policy retry_;
  std::function<std::string()> fence_;
};

/// Typed wrapper: T is a record with encode()/decode() (serialization/records.hpp).
template <class T>
class zk_state_handle_store {
 public:
  struct entry {
    std::string name;
    std::int32_t version = 0;
    state_handle handle;
    T value;
  };

  zk_state_handle_store(zk::client_ptr client, std::string root,
                        std::shared_ptr<file_state_storage> storage, std::string file_prefix,
                        zk::retry_policy retry = {})
    : core_(std::move(client), std::move(root), std::move(storage), std::move(file_prefix),
            retry) {
  }

  zk_handle_store& core() { return core_; }
  const std::string& root() const { return core_.root(); }
  void ensure_root() { core_.ensure_root(); }

  std::string add(const std::string& name, const T& value,
                  zk::create_mode mode = zk::create_mode::persistent) {
    return core_.add(name, record_type_of<T>::value, encode(value), mode);
  }

  state_handle add_subsuming(const std::string& name, const T& value,
                             const std::vector<subsumed_entry>& subsumed) {
    return core_.add_subsuming(name, record_type_of<T>::value, encode(value), subsumed);
  }

  void replace(const std::string& name, std::int32_t expected_version, const T& value) {
    core_.replace(name, expected_version, record_type_of<T>::value, encode(value));
  }

  T get(const std::string& name) { return get_entry(name).value; }

  entry get_entry(const std::string& name) {
    auto raw = core_.get(name);
    try {
      return entry{raw.name, raw.version, raw.handle, decode<T>(raw.bytes)};
    } catch (const envelope_error& e) {
      throw store_error(store_error::kind::corrupt, "znode " + core_.path_of(name) + ": file "
                                                      + raw.handle.path + " is corrupt: "
                                                      + e.what());
    }
  }

  std::int32_t exists(const std::string& name) { return core_.exists(name); }
  std::vector<std::string> names() { return core_.names(); }

  /// Readable entries sorted by name; unreadable ones are logged, skipped and, if
  /// `unreadable` is given, listed there.
  std::vector<entry> get_all(std::vector<unreadable_entry>* unreadable = nullptr) {
    std::vector<entry> result;
    for (auto& raw : core_.get_all(unreadable)) {
      try {
        result.push_back(entry{raw.name, raw.version, raw.handle, decode<T>(raw.bytes)});
      } catch (const envelope_error& e) {
        auto reason = "file " + raw.handle.path + " is corrupt: " + e.what();
        spdlog::error("skipping unreadable entry {}: {}", core_.path_of(raw.name), reason);
        if (unreadable)
          unreadable->push_back(unreadable_entry{raw.name, reason});
      }
    }
    return result;
  }

  /// The same as get_all(): entries are always returned sorted by name.
  std::vector<entry> get_all_sorted_by_name(std::vector<unreadable_entry>* unreadable = nullptr) {
    return get_all(unreadable);
  }

  void remove(const std::string& name) { core_.remove(name); }
  void remove_and_discard(const std::string& name) { core_.remove_and_discard(name); }
  void remove_and_discard_all() { core_.remove_and_discard_all(); }

 private:
  zk_handle_store core_;
};

}  // namespace fjord
