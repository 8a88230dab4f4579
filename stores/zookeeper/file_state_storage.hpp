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
// Thread-safe: holds no mutable state besides the directory name.
#pragma once

#include <string>

#include "serialization/envelope.hpp"
#include "serialization/records.hpp"
#include "stores/store_error.hpp"

namespace fjord {

class file_state_storage {
 public:
  /// Creates `directory` (and parents) if missing. Throws store_error(invalid_argument) for an
  /// empty name and store_error(io) if it cannot be created or is not a writable directory.
  explicit file_state_storage(const std::string& directory);

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
  /// naming the path and the envelope's reason, store_error(io) if it cannot be read.
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
  std::string directory_;
};

}  // namespace fjord
