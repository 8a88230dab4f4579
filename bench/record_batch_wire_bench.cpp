// Benchmark: what a data_batch of 512 records costs on the wire, i.e. what the middleman does
// to every batch that crosses TaskManager processes: CAF's binary serializer into a reused
// buffer, then CAF's binary deserializer into a fresh batch (network, BASP framing and the
// message envelope left out). Side by side, in one run, repetitions interleaved:
//   per-field   the old form: CAF serializes kind, number and text of every record as fields;
//   blob        the form data_batch has now: the records packed by messages/record_batch_codec
//               (memcpy of the three fields) into one byte sequence, one CAF field;
//   blob-cereal the same single CAF field, packed with cereal's binary archive through a
//               string stream (the archive serialization/records.hpp uses for stored records).
// Batches: 512 number records (what the example job's edges carry), and 512 (word, count)
// records with 3 to 12 character words.
//
//   record_batch_wire_bench [--batches N] [--reps N]   (default 2000 batches x 7 repetitions)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include "bench/bench_support.hpp"
#include "messages/data_messages.hpp"

namespace fjord {

template <class Archive>
void serialize(Archive& ar, record& r) {
  ar(r.kind, r.number, r.text);
}

/// data_batch as it was on the wire before: every record's fields through CAF.
struct per_field_batch {
  std::int32_t channel = 0;
  std::vector<record> records;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, per_field_batch& x) {
  return f(caf::meta::type_name("fjord.data_batch"), x.channel, x.records);
}

/// The records packed with cereal into one CAF field.
struct cereal_batch {
  std::int32_t channel = 0;
  std::vector<record> records;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cereal_batch& x) {
  if constexpr (std::is_base_of<caf::serializer, Inspector>::value) {
    std::ostringstream os;
    {
      cereal::BinaryOutputArchive ar(os);
      ar(x.records);
    }
    auto bytes = os.str();
    return f(x.channel, bytes);
  } else {
    std::string bytes;
    if (auto err = f(x.channel, bytes))
      return err;
    try {
      std::istringstream is{std::move(bytes)};
      cereal::BinaryInputArchive ar(is);
      ar(x.records);
    } catch (const std::exception& e) {
      return caf::make_error(caf::sec::invalid_argument, e.what());
    }
    return caf::none;
  }
}

}  // namespace fjord

namespace {

using namespace fjord;
using bench::clock_type;

std::vector<record> numbers() {
  std::vector<record> rs;
  for (std::int64_t i = 0; i < 512; ++i)
    rs.push_back(record::of(1000000 + i * 7));
  return rs;
}

std::vector<record> words() {
  std::vector<record> rs;
  for (std::int64_t i = 0; i < 512; ++i)
    rs.push_back(record::of(std::string(static_cast<std::size_t>(3 + i % 10), 'a' + i % 26), i));
  return rs;
}

struct result {
  double ns_per_record = 0;
  std::size_t bytes = 0;
};

/// Serializes and deserializes `batches` batches; ns per record and the serialized size.
template <class Batch>
result run(const std::vector<record>& records, int batches) {
  Batch in{3, records};
  std::vector<char> buf;
  std::size_t checksum = 0;
  auto start = clock_type::now();
  for (int i = 0; i < batches; ++i) {
    buf.clear();
    caf::binary_serializer sink{nullptr, buf};
    if (auto err = sink(in))
      throw std::runtime_error("serialize failed");
    Batch out;
    caf::binary_deserializer source{nullptr, buf};
    if (auto err = source(out))
      throw std::runtime_error("deserialize failed");
    checksum += out.records.size();
  }
  auto ns = std::chrono::duration<double, std::nano>(clock_type::now() - start).count();
  if (checksum != records.size() * static_cast<std::size_t>(batches))
    throw std::runtime_error("lost records");
  return {ns / static_cast<double>(records.size() * static_cast<std::size_t>(batches)),
          buf.size()};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    bench::arguments args(argc, argv);
    auto batches = static_cast<int>(args.integer("--batches", 2000));
    auto reps = static_cast<int>(args.integer("--reps", 7));
    args.expect_done();
    struct workload {
      const char* name;
      std::vector<record> records;
    };
    std::vector<workload> workloads{{"512 number records", numbers()},
                                    {"512 (word, count) records", words()}};
    std::printf("CAF binary round trip of one data_batch (serialize + deserialize), %d batches "
                "x %d repetitions, median\n\n",
                batches, reps);
    std::printf("| batch | per-field ns/record | blob ns/record | blob-cereal ns/record | "
                "per-field / blob | bytes per batch: per-field, blob, blob-cereal |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (auto& w : workloads) {
      std::vector<double> old_ns, blob_ns, cereal_ns;
      std::size_t old_bytes = 0, blob_bytes = 0, cereal_bytes = 0;
      run<per_field_batch>(w.records, batches / 10 + 1);  // warm-up
      run<data_batch>(w.records, batches / 10 + 1);
      run<cereal_batch>(w.records, batches / 10 + 1);
      for (int r = 0; r < reps; ++r) {
        // Rotate the order so that drift of a shared machine affects all alike.
        for (int k = 0; k < 3; ++k) {
          switch ((r + k) % 3) {
            case 0: {
              auto x = run<per_field_batch>(w.records, batches);
              old_ns.push_back(x.ns_per_record);
              old_bytes = x.bytes;
              break;
            }
            case 1: {
              auto x = run<data_batch>(w.records, batches);
              blob_ns.push_back(x.ns_per_record);
              blob_bytes = x.bytes;
              break;
            }
            default: {
              auto x = run<cereal_batch>(w.records, batches);
              cereal_ns.push_back(x.ns_per_record);
              cereal_bytes = x.bytes;
              break;
            }
          }
        }
      }
      std::printf("| %s | %.1f | %.1f | %.1f | %.2fx | %zu, %zu, %zu |\n", w.name, bench::median(old_ns),
                  bench::median(blob_ns), bench::median(cereal_ns), bench::median(old_ns) / bench::median(blob_ns),
                  old_bytes, blob_bytes, cereal_bytes);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "record_batch_wire_bench: %s\n", e.what());
    return 2;
  }
}
