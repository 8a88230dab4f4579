// Helpers shared by the store tests and contract suites: listing and corrupting files, sample
// records, a fast retry policy, the pointer invariants. (temp_dir and eventually: tests/support.)
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "serialization/records.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_client.hpp"
#include "stores/zookeeper/zk_retry_policy.hpp"

namespace fjord::test {

/// Every regular file in `dir` (hidden temp files included), sorted.
inline std::vector<std::string> list_files(const std::string& dir) {
  std::vector<std::string> result;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file())
      result.push_back(e.path().string());
  std::sort(result.begin(), result.end());
  return result;
}

/// Inverts every bit of the byte at `offset`.
inline void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f{path, std::ios::in | std::ios::out | std::ios::binary};
  if (!f)
    throw std::runtime_error("cannot open " + path);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(~c));
}

inline completed_checkpoint make_checkpoint(const std::string& job, std::int64_t id,
                                            std::size_t state_bytes = 64) {
  completed_checkpoint cp;
  cp.job_id = job;
  cp.checkpoint_id = id;
  cp.timestamp_ms = 1000 + id;
  cp.completed_ms = 2000 + id;
  cp.states.push_back(subtask_state{"source", 0, std::string(state_bytes, 'a')});
  cp.states.push_back(subtask_state{"sink", 0, "sink-state-" + std::to_string(id)});
  return cp;
}

inline submitted_job_graph make_job_graph(const std::string& job_id, std::int64_t submitted = 1,
                                          const std::string& name = "sum job") {
  submitted_job_graph g;
  g.graph.job_id = job_id;
  g.graph.name = name;
  g.graph.vertices.push_back(vertex_spec{"source", "sequence", 2, "{\"to\":100}"});
  g.graph.vertices.push_back(vertex_spec{"sink", "collect", 1, "{}"});
  g.graph.edges.push_back(edge_spec{"source", "sink", partitioning::rebalance});
  g.submitted_ms = submitted;
  return g;
}

/// A retry policy that keeps failing tests fast.
inline zk::retry_policy fast_retry() {
  return zk::retry_policy{3, std::chrono::milliseconds{1}, std::chrono::milliseconds{5}};
}

/// The pointer invariant: every child znode of `root` holds a state handle whose file exists
/// and decodes. Returns one line per violation (empty: all good).
inline std::vector<std::string> dangling_pointers(zk::client& client, const std::string& root,
                                                  const file_state_storage& storage) {
  std::vector<std::string> problems;
  std::vector<std::string> names;
  try {
    names = client.children(root).names;
  } catch (const zk::zk_error& e) {
    if (e.code() == zk::error_code::no_node)
      return problems;
    throw;
  }
  for (auto& name : names) {
    auto raw = client.get(root + "/" + name);
    if (!raw)
      continue;
    try {
      storage.load(decode<state_handle>(raw->data));
    } catch (const std::exception& e) {
      problems.push_back(root + "/" + name + ": " + e.what());
    }
  }
  return problems;
}

/// Every file of the storage directory that no child znode of any of `roots` points to.
inline std::vector<std::string> orphan_files(zk::client& client,
                                             const std::vector<std::string>& roots,
                                             const file_state_storage& storage) {
  std::vector<std::string> referenced;
  for (auto& root : roots) {
    std::vector<std::string> names;
    try {
      names = client.children(root).names;
    } catch (const zk::zk_error&) {
      continue;
    }
    for (auto& name : names)
      if (auto raw = client.get(root + "/" + name)) {
        try {
          referenced.push_back(decode<state_handle>(raw->data).path);
        } catch (const std::exception&) {
        }
      }
  }
  std::vector<std::string> orphans;
  for (auto& file : list_files(storage.directory()))
    if (std::find(referenced.begin(), referenced.end(), file) == referenced.end())
      orphans.push_back(file);
  return orphans;
}

}  // namespace fjord::test
