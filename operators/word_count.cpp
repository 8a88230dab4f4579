// Operator "word_count": a running count per word; emits (word, count), written as "word 3".
#include <map>

#include "operators/builtin_operators.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

namespace {

class word_count : public stream_operator {
 public:
  void restore(const std::string& bytes, std::int64_t) override {
    counts_ = from_bytes<std::map<std::string, std::int64_t>>(bytes);
  }

  std::string snapshot(std::int64_t) override { return to_bytes(counts_); }

  void process(const record& r, collector& out) override {
    auto count = ++counts_[r.text];
    out.emit(record::of(r.text, count));
  }

 private:
  std::map<std::string, std::int64_t> counts_;
};

}  // namespace

operator_descriptor word_count_descriptor() {
  operator_descriptor d;
  d.name = "word_count";
  d.role = operator_role::transform;
  d.description = "running count per word; emits \"<word> <count>\"";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<word_count>(); };
  // The key is the word alone, so every occurrence of a word meets the same counter.
  d.make_key_selector = [](const operator_params&) -> key_selector {
    return [](const record& r) { return default_record_key(record::of(r.text)); };
  };
  return d;
}

}  // namespace fjord
