// The job graphs a JobManager runs, kept so that the next leader can recover them.
//
// Not thread-safe: owned by one store worker. The listener is called from the coordination
// service's thread and must only enqueue a message.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "serialization/records.hpp"

namespace fjord {

class job_graph_listener {
 public:
  virtual ~job_graph_listener() = default;
  /// Another JobManager added a job graph this store does not own.
  virtual void on_added_job_graph(const std::string& job_id) = 0;
  /// Another JobManager removed a job graph this store owns.
  virtual void on_removed_job_graph(const std::string& job_id) = 0;
};

struct recovered_job_graphs {
  std::vector<submitted_job_graph> graphs;
  /// (job id, what went wrong) for each entry that could not be read; the others are returned.
  std::vector<std::pair<std::string, std::string>> failures;
};

class submitted_job_graph_store {
 public:
  virtual ~submitted_job_graph_store() = default;

  /// `listener` may be null.
  virtual void start(job_graph_listener* listener) = 0;
  virtual void stop() = 0;

  /// Durably stores the graph (the caller acknowledges the submission only after this
  /// returned). The same job id replaces a graph this store added or recovered; a graph owned
  /// by someone else is refused with store_error::kind::conflict.
  virtual void put(const submitted_job_graph& graph) = 0;

  /// One graph; std::nullopt if there is none. Throws store_error if it cannot be read.
  virtual std::optional<submitted_job_graph> recover(const std::string& job_id) = 0;

  /// Every graph, each recovered independently: one unreadable entry does not hide the others.
  virtual recovered_job_graphs recover_all() = 0;

  /// Removes a graph this store owns; removing an unknown or foreign id is a no-op.
  virtual void remove(const std::string& job_id) = 0;

  virtual std::vector<std::string> job_ids() = 0;
};

}  // namespace fjord
