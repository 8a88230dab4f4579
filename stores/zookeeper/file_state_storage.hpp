// Files under `recovery.zookeeper.storageDir` that hold the bytes ZooKeeper only points to
// (job graphs, completed checkpoints). ZooKeeper nodes are meant for small data; the znode of a
// state_handle_store holds a state_handle naming one of these files.
//
// Every file is a sealed envelope (serialization/envelope.hpp), so reading verifies magic,
// type, length and CRC-32C and a corrupt file is reported with its path and the reason.
// Writing is crash-safe: temp file, fsync, rename to a fresh unique name (never over an
// existing file), fsync of the directory. A crash leaves at worst an orphan file, never a
// half-written file under a final name.
//
// Whoever can write ZooKeeper can forge a state handle, so a handle is trusted with nothing: it
// may only name a regular file directly in this directory (no symlink, FIFO, device or
// directory, nothing outside, checked lexically and by opening relative to the directory with
// O_NOFOLLOW) of at most max_file_bytes (1 GiB by default). Files are created 0600, directories 0700.
//
// Thread-safe: holds no mutable state besides the directory name.
#pragma once

#include <cstdint>
#include <string>

#include "serialization/envelope.hpp"
#include "serialization/records.hpp"
#include "stores/store_error.hpp"

namespace fjord {

class file_state_storage {
 public:
  /// The largest file store() writes and load() reads by default (1 GiB): a forged or damaged
  /// handle must not make a store worker allocate without bound.
  static constexpr std::uint64_t default_max_file_bytes = std::uint64_t{1} << 30;

  /// Creates `directory` (and parents) if missing. Throws store_error(invalid_argument) for an
  /// empty name and store_error(io) if it cannot be created or is not a writable directory.
  explicit file_state_storage(const std::string& directory,
                              std::uint64_t max_file_bytes = default_max_file_bytes);

  /// The absolute, normalized directory.
  const std::string& directory() const { return directory_; }

  /// Writes `sealed` (an envelope of type `type`, e.g. from encode()) to a new file named
  /// `<prefix>-<32 random hex digits>` and returns its handle. Throws
  /// store_error(invalid_argument) if `sealed` is not a sound envelope of `type` or the prefix
  /// is unusable as a file name, store_error(io) if the file cannot be written.
  state_handle store(record_type type, const std::string& sealed, const std::string& prefix);

  /// Encodes `value` and stores it.
  template <class T>
  state_handle store_record(const T& value, const std::string& prefix) {
    return store(record_type_of<T>::value, encode(value), prefix);
  }

  /// Reads the file and verifies its envelope (of whatever type its header names); returns the
  /// sealed bytes. Throws store_error(not_found) if the file is missing, store_error(corrupt)
  /// naming the path and the envelope's reason, store_error(io) if it cannot be read, and
  /// store_error(corrupt) without opening anything for a handle that names no file of this
  /// directory, a symlink, a file that is not regular or one larger than max_file_bytes.
  std::string load(const state_handle& handle) const;

  /// Loads and decodes a T. Throws like load(), and store_error(corrupt) if the file holds
  /// another record type or an undecodable payload.
  template <class T>
  T load_record(const state_handle& handle) const {
    auto bytes = load(handle);
    try {
      return decode<T>(bytes);
    } catch (const envelope_error& e) {
      throw store_error(store_error::kind::corrupt,
                        "file " + handle.path + " is corrupt: " + e.what());
    }
  }

  /// Deletes the file; a missing file is fine (discarding twice is harmless). Refuses, with
  /// store_error(invalid_argument), a path outside the storage directory: a garbage znode must
  /// never make us delete an unrelated file. Throws store_error(io) if unlinking fails.
  void discard(const state_handle& handle);

  /// Deletes every file stored with `prefix` (final names "<prefix>-..." and leftover temporary
  /// files of interrupted writes). For sweeping the orphans of a job that ended for good:
  /// files written by a process that crashed before its znode existed. Returns the count.
  std::size_t discard_all_with_prefix(const std::string& prefix);

 private:
  /// The file name of a handle of this directory; throws store_error otherwise.
  std::string file_name_of(const state_handle& handle, const char* what) const;

  std::string directory_;
  std::string canonical_;  ///< directory_ with symlinks resolved
  std::uint64_t max_file_bytes_;
};

}  // namespace fjord
