// Typed operators: write process() against your own input and output types instead of
// `record`. Supported types: std::int64_t, std::string, std::pair<std::string, std::int64_t>.
//
//   class doubler : public fjord::typed_operator<std::int64_t, std::int64_t> {
//     void on_record(std::int64_t x, output& out) override { out.emit(2 * x); }
//     std::string snapshot(std::int64_t) override { return {}; }
//   };
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <fjord/operator.hpp>

namespace fjord {

template <class T>
struct record_traits;

template <>
struct record_traits<std::int64_t> {
  static std::int64_t from(const record& r) { return r.number; }
  static record to(std::int64_t x) { return record::of(x); }
};

template <>
struct record_traits<std::string> {
  static std::string from(const record& r) {
    return r.kind == record_kind::number ? std::to_string(r.number) : r.text;
  }
  static record to(std::string x) { return record::of(std::move(x)); }
};

template <>
struct record_traits<std::pair<std::string, std::int64_t>> {
  static std::pair<std::string, std::int64_t> from(const record& r) { return {r.text, r.number}; }
  static record to(std::pair<std::string, std::int64_t> x) {
    return record::of(std::move(x.first), x.second);
  }
};

template <class Out>
class typed_collector {
 public:
  explicit typed_collector(collector& out) : out_(out) {}
  void emit(Out x) { out_.emit(record_traits<Out>::to(std::move(x))); }

 private:
  collector& out_;
};

template <class In, class Out>
class typed_operator : public stream_operator {
 public:
  using output = typed_collector<Out>;

  virtual void on_record(In value, output& out) = 0;

  void process(const record& r, collector& out) final {
    output typed{out};
    on_record(record_traits<In>::from(r), typed);
  }
};

}  // namespace fjord
