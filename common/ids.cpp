#include "common/ids.hpp"

#include <mutex>
#include <random>

#include <fmt/format.h>

namespace fjord {

namespace {

std::uint64_t random_u64() {
  static std::mutex mtx;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard<std::mutex> guard{mtx};
  return engine();
}

}  // namespace

std::string new_job_id() {
  return fmt::format("{:016x}{:016x}", random_u64(), random_u64());
}

std::string new_uuid() {
  auto hi = random_u64();
  auto lo = random_u64();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 1
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

bool is_valid_job_id(const std::string& id) {
  if (id.size() != 32)
    return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::string short_id(const std::string& id) {
  return id.substr(0, 8);
}

}  // namespace fjord
