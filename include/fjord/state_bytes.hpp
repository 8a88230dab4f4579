// Operator state <-> bytes, for operator_base::snapshot() / restore(). Plain cereal binary
// without an envelope: the bytes end up inside a completed checkpoint, which has one.
//
//   std::string snapshot(std::int64_t) override { return fjord::to_bytes(sums_); }
//   void restore(const std::string& b, std::int64_t) override { sums_ = fjord::from_bytes<...>(b); }
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

#include <cereal/archives/binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

namespace fjord {

template <class T>
std::string to_bytes(const T& x) {
  std::ostringstream os;
  {
    cereal::BinaryOutputArchive ar(os);
    ar(x);
  }
  return os.str();
}

template <class T>
T from_bytes(const std::string& bytes) {
  T x{};
  try {
    std::istringstream is{bytes};
    cereal::BinaryInputArchive ar(is);
    ar(x);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"operator state cannot be decoded: "} + e.what());
  }
  return x;
}

}  // namespace fjord
