// Task -> task data path: record batches, barriers and credits. These travel directly between
// task actors of one execution attempt; CAF's per-sender FIFO order keeps a barrier behind the
// records emitted before it, which barrier alignment relies on.
#pragma once

#include <cstdint>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/record.hpp"

namespace fjord {

/// Records for input channel `channel` of the receiving task. Sent only against a credit.
struct data_batch {
  std::int32_t channel = 0;
  std::vector<record> records;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_batch& x) {
  return f(caf::meta::type_name("fjord.data_batch"), x.channel, x.records);
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

/// The receiver grants `batches` more batches on output channel `channel` of the sender.
struct credit {
  std::int32_t channel = 0;
  std::int32_t batches = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit& x) {
  return f(caf::meta::type_name("fjord.credit"), x.channel, x.batches);
}

}  // namespace fjord
