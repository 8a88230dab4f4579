// A record flowing between tasks. Deliberately small and concrete: a number, a text, or both.
// Typed operators (operators/typed_operator.hpp) convert to and from their own types.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace fjord {

enum class record_kind : std::uint8_t {
  number,       ///< `number` holds the value
  text,         ///< `text` holds the value
  text_number,  ///< a (text, number) pair, e.g. (word, count)
};

struct record {
  record_kind kind = record_kind::number;
  std::int64_t number = 0;
  std::string text;

  static record of(std::int64_t n) { return record{record_kind::number, n, {}}; }
  static record of(std::string s) { return record{record_kind::text, 0, std::move(s)}; }
  static record of(std::string s, std::int64_t n) {
    return record{record_kind::text_number, n, std::move(s)};
  }

  /// The line a sink writes: "42", "some text" or "word 42".
  std::string to_line() const;

  friend bool operator==(const record& a, const record& b) {
    return a.kind == b.kind && a.number == b.number && a.text == b.text;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record& x) {
  return f(caf::meta::type_name("fjord.record"), x.kind, x.number, x.text);
}

}  // namespace fjord
