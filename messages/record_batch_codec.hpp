// The compact wire form of a batch of records: every record of a data_batch packed into one
// contiguous byte buffer, so that CAF's serializer (which pays a caf::error and a virtual call
// per field) handles one byte sequence per batch instead of three fields per record. Used only
// when a data_batch crosses processes (messages/data_messages.hpp); local sends move the
// vector and never serialize.
//
// Layout (little-endian, both ends run the same build):
//   u32 count, then per record:
//     u8  header  bits 0-1: record_kind, bit 4: number follows, bit 5: text follows
//     i64 number  only if bit 4 (a zero number is not written)
//     varint length (LEB128, at most 5 bytes), then `length` bytes of text
//                 only if bit 5 (an empty text is not written)
// Every field of a record is kept, so decode(encode(x)) == x for any records, also ones whose
// kind leaves a field unused.
//
// The decoder reads input from the network: it checks every length against the bytes left
// before it allocates or copies, and rejects unknown bits, trailing bytes and truncation.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fjord/record.hpp"

namespace fjord {

/// Writes the wire form of `records` into `out` (replaced). Throws std::length_error for more
/// than 2^32-1 records or a text of 4 GiB or more.
void encode_record_batch(const std::vector<record>& records, std::vector<char>& out);

/// Decodes `size` bytes at `data` into `records` (replaced). Returns an empty string on
/// success, else what is wrong with the input ("truncated text of record 3 of 512"); `records`
/// is then unspecified but valid.
std::string decode_record_batch(const char* data, std::size_t size, std::vector<record>& records);

}  // namespace fjord
