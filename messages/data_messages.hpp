// Task -> task data path: record batches, barriers and credits. These travel directly between
// task actors of one execution attempt; CAF's per-sender FIFO order keeps a barrier behind the
// records emitted before it, which barrier alignment relies on.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include "fjord/record.hpp"
#include "messages/record_batch_codec.hpp"

namespace fjord {

/// Records for input channel `channel` of the receiving task. Sent only against a credit.
struct data_batch {
  std::int32_t channel = 0;
  std::vector<record> records;
};

namespace detail {

/// Scratch buffer of the wire form, one per thread (the middleman's and the scheduler's
/// threads serialize): no allocation per batch once it has grown to the usual batch size.
inline std::vector<char>& record_batch_scratch() {
  thread_local std::vector<char> buffer;
  return buffer;
}

/// A batch with a very long text must not pin its buffer in every thread forever.
inline void trim_record_batch_scratch(std::vector<char>& buffer) {
  constexpr std::size_t keep_at_most = 1 << 20;
  if (buffer.capacity() > keep_at_most)
    std::vector<char>{}.swap(buffer);
}

}  // namespace detail

/// Across processes, the records travel as one byte sequence in the compact wire form
/// (messages/record_batch_codec.hpp): CAF's serializer then handles two fields per batch instead
/// of three per record. Other inspectors (deep_to_string) see the records themselves.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_batch& x) {
  if constexpr (std::is_base_of<caf::serializer, Inspector>::value) {
    auto& bytes = detail::record_batch_scratch();
    try {
      encode_record_batch(x.records, bytes);
    } catch (const std::length_error& e) {  // 2^32 records or a text of 4 GiB
      return caf::make_error(caf::sec::invalid_argument, std::string{"fjord.data_batch: "}
                                                           + e.what());
    }
    auto err = f(caf::meta::type_name("fjord.data_batch"), x.channel, bytes);
    detail::trim_record_batch_scratch(bytes);
    return err;
  } else if constexpr (std::is_base_of<caf::deserializer, Inspector>::value) {
    auto& bytes = detail::record_batch_scratch();
    if (auto err = f(caf::meta::type_name("fjord.data_batch"), x.channel, bytes))
      return err;
    auto problem = decode_record_batch(bytes.data(), bytes.size(), x.records);
    detail::trim_record_batch_scratch(bytes);
    if (!problem.empty())
      return caf::make_error(caf::sec::invalid_argument, "fjord.data_batch: " + problem);
    return caf::none;
  } else {
    return f(caf::meta::type_name("fjord.data_batch"), x.channel, x.records);
  }
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const data_batch& a, const data_batch& b) {
  return a.channel == b.channel
         && a.records == b.records;
}

inline bool operator!=(const data_batch& a, const data_batch& b) {
  return !(a == b);
}

/// Checkpoint barrier on input channel `channel` of the receiving task. A final barrier also
/// ends the stream: nothing follows it on that channel.
struct barrier {
  std::int32_t channel = 0;
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0;
  bool is_final = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, barrier& x) {
  return f(caf::meta::type_name("fjord.barrier"), x.channel, x.checkpoint_id, x.timestamp_ms,
           x.is_final);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const barrier& a, const barrier& b) {
  return a.channel == b.channel
         && a.checkpoint_id == b.checkpoint_id
         && a.timestamp_ms == b.timestamp_ms
         && a.is_final == b.is_final;
}

inline bool operator!=(const barrier& a, const barrier& b) {
  return !(a == b);
}

/// The receiver grants `batches` more batches on output channel `channel` of the sender.
struct credit {
  std::int32_t channel = 0;
  std::int32_t batches = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit& x) {
  return f(caf::meta::type_name("fjord.credit"), x.channel, x.batches);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const credit& a, const credit& b) {
  return a.channel == b.channel
         && a.batches == b.batches;
}

inline bool operator!=(const credit& a, const credit& b) {
  return !(a == b);
}

}  // namespace fjord
