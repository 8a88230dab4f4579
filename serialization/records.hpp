// Persisted records: cereal serialization of the structs that stores write, and encode() /
// decode() which wrap them in the envelope (serialization/envelope.hpp). The persisted format
// is ours, independent of CAF's wire format.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "messages/checkpoint.hpp"
#include "messages/job_graph.hpp"
#include "fjord/job_status.hpp"
#include "serialization/envelope.hpp"

namespace fjord {

/// A job graph as the job-graph store keeps it.
struct submitted_job_graph {
  job_graph graph;
  std::int64_t submitted_ms = 0;
};

/// What a znode holds for a state_handle_store entry: where the bytes are.
struct state_handle {
  std::string path;  ///< absolute file path under the storage directory
  std::uint64_t size = 0;
};

/// Kept after a job reached a globally terminal state, so that it is not run again.
struct job_result {
  std::string job_id;
  job_state state = job_state::finished;
  std::int64_t ended_ms = 0;
  std::string failure;
};

/// The content of ZooKeeper's /leader node.
struct leader_info {
  std::string address;     ///< "host:port" of the leader's published job manager
  std::string session_id;  ///< the leader session UUID
};

// cereal -------------------------------------------------------------------------------------

template <class Archive>
void serialize(Archive& ar, vertex_spec& x) {
  ar(x.id, x.op, x.parallelism, x.params_json);
}

template <class Archive>
void serialize(Archive& ar, edge_spec& x) {
  ar(x.from, x.to, x.part);
}

template <class Archive>
void serialize(Archive& ar, checkpoint_settings& x) {
  ar(x.interval_ms, x.timeout_ms, x.max_concurrent, x.min_pause_ms, x.num_retained);
}

template <class Archive>
void serialize(Archive& ar, restart_settings& x) {
  ar(x.kind, x.max_attempts, x.delay_ms, x.max_delay_ms, x.multiplier);
}

template <class Archive>
void serialize(Archive& ar, plugin_blob& x) {
  ar(x.name, x.sha256, x.bytes);
}

template <class Archive>
void serialize(Archive& ar, job_graph& x) {
  ar(x.job_id, x.name, x.vertices, x.edges, x.checkpoints, x.restart, x.plugins);
}

template <class Archive>
void serialize(Archive& ar, subtask_state& x) {
  ar(x.vertex, x.subtask, x.bytes);
}

template <class Archive>
void serialize(Archive& ar, completed_checkpoint& x) {
  ar(x.job_id, x.checkpoint_id, x.timestamp_ms, x.completed_ms, x.is_final, x.states);
}

template <class Archive>
void serialize(Archive& ar, submitted_job_graph& x) {
  ar(x.graph, x.submitted_ms);
}

template <class Archive>
void serialize(Archive& ar, state_handle& x) {
  ar(x.path, x.size);
}

template <class Archive>
void serialize(Archive& ar, job_result& x) {
  ar(x.job_id, x.state, x.ended_ms, x.failure);
}

template <class Archive>
void serialize(Archive& ar, leader_info& x) {
  ar(x.address, x.session_id);
}

// envelope -----------------------------------------------------------------------------------

template <class T>
struct record_type_of;

#define FJORD_RECORD_TYPE(type_name)                                      \
  template <>                                                             \
  struct record_type_of<type_name> {                                      \
    static constexpr record_type value = record_type::type_name;          \
  };

FJORD_RECORD_TYPE(job_graph)
FJORD_RECORD_TYPE(submitted_job_graph)
FJORD_RECORD_TYPE(completed_checkpoint)
FJORD_RECORD_TYPE(state_handle)
FJORD_RECORD_TYPE(leader_info)
FJORD_RECORD_TYPE(job_result)

#undef FJORD_RECORD_TYPE

/// Serializes `x` with cereal's binary archive and seals it in an envelope.
template <class T>
std::string encode(const T& x) {
  std::ostringstream os;
  {
    cereal::BinaryOutputArchive ar(os);
    ar(x);
  }
  return seal(record_type_of<T>::value, os.str());
}

/// Opens the envelope and deserializes. Throws envelope_error on corrupt or foreign bytes.
template <class T>
T decode(std::string_view bytes) {
  auto payload = unseal(record_type_of<T>::value, bytes);
  T x;
  try {
    std::istringstream is{std::string{payload}};
    cereal::BinaryInputArchive ar(is);
    ar(x);
  } catch (const std::exception& e) {
    throw envelope_error(envelope_error::kind::undecodable,
                         std::string{"payload cannot be decoded: "} + e.what());
  }
  return x;
}

}  // namespace fjord
