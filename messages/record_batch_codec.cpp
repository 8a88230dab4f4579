#include "messages/record_batch_codec.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "record_batch_codec writes integers in host order and assumes a little-endian host"
#endif

namespace fjord {

namespace {

constexpr std::uint8_t kind_mask = 0x03;
constexpr std::uint8_t has_number = 0x10;
constexpr std::uint8_t has_text = 0x20;
constexpr std::uint8_t known_bits = kind_mask | has_number | has_text;

template <class T>
void put(char*& p, T x) {
  std::memcpy(p, &x, sizeof(T));
  p += sizeof(T);
}

/// Text lengths as LEB128: one byte for texts under 128 bytes, five at most.
std::size_t varint_size(std::uint32_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(char*& p, std::uint32_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
}

/// Reads a varint of at most 5 bytes that fits 32 bits; false if truncated or corrupt.
bool get_varint(const char*& p, const char* end, std::uint32_t& v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (p == end)
      return false;
    auto byte = static_cast<std::uint8_t>(*p++);
    result |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      if (result > std::numeric_limits<std::uint32_t>::max())
        return false;
      v = static_cast<std::uint32_t>(result);
      return true;
    }
  }
  return false;
}

std::string where(std::size_t index, std::size_t count) {
  return "record " + std::to_string(index + 1) + " of " + std::to_string(count);
}

}  // namespace

void encode_record_batch(const std::vector<record>& records, std::vector<char>& out) {
  if (records.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("record batch of more than 2^32-1 records");
  // One pass for the exact size, so that the buffer is allocated (at most) once and written
  // with plain stores.
  std::size_t size = sizeof(std::uint32_t);
  for (auto& r : records) {
    size += 1;
    if (r.number != 0)
      size += sizeof(std::int64_t);
    if (!r.text.empty()) {
      if (r.text.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("record text of 4 GiB or more");
      size += varint_size(static_cast<std::uint32_t>(r.text.size())) + r.text.size();
    }
  }
  out.resize(size);
  char* p = out.data();
  put(p, static_cast<std::uint32_t>(records.size()));
  for (auto& r : records) {
    auto header = static_cast<std::uint8_t>(static_cast<std::uint8_t>(r.kind) & kind_mask);
    if (r.number != 0)
      header |= has_number;
    if (!r.text.empty())
      header |= has_text;
    put(p, header);
    if (r.number != 0)
      put(p, r.number);
    if (!r.text.empty()) {
      put_varint(p, static_cast<std::uint32_t>(r.text.size()));
      std::memcpy(p, r.text.data(), r.text.size());
      p += r.text.size();
    }
  }
}

std::string decode_record_batch(const char* data, std::size_t size, std::vector<record>& records) {
  records.clear();
  const char* p = data;
  const char* end = data + size;
  auto left = [&] { return static_cast<std::size_t>(end - p); };
  std::uint32_t count = 0;
  if (left() < sizeof(count))
    return "truncated record count (" + std::to_string(size) + " bytes)";
  std::memcpy(&count, p, sizeof(count));
  p += sizeof(count);
  // Every record takes at least its header byte: a corrupt count cannot reserve more than the
  // input could hold.
  if (count > left())
    return "record count " + std::to_string(count) + " exceeds the " + std::to_string(left())
           + " bytes that follow";
  records.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (left() < 1)
      return "truncated header of " + where(i, count);
    std::uint8_t header = 0;
    std::memcpy(&header, p, 1);
    p += 1;
    if ((header & ~known_bits) != 0 || (header & kind_mask) > static_cast<std::uint8_t>(record_kind::text_number))
      return "corrupt header " + std::to_string(header) + " of " + where(i, count);
    auto& r = records.emplace_back();
    r.kind = static_cast<record_kind>(header & kind_mask);
    if (header & has_number) {
      if (left() < sizeof(r.number))
        return "truncated number of " + where(i, count);
      std::memcpy(&r.number, p, sizeof(r.number));
      p += sizeof(r.number);
    }
    if (header & has_text) {
      std::uint32_t length = 0;
      if (!get_varint(p, end, length))
        return "truncated or corrupt text length of " + where(i, count);
      if (length == 0)
        return "empty text marked present in " + where(i, count);
      if (left() < length)
        return "text of " + std::to_string(length) + " bytes exceeds the "
               + std::to_string(left()) + " bytes left in " + where(i, count);
      r.text.assign(p, length);
      p += length;
    }
  }
  if (left() != 0)
    return std::to_string(left()) + " bytes after the last of " + std::to_string(count)
           + " records";
  return {};
}

}  // namespace fjord
