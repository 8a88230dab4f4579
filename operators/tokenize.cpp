// Operator "tokenize": lines -> lower-cased words, one text record per word. Stateless.
#include "operators/tokenize.hpp"

#include "operators/builtin_operators.hpp"

namespace fjord {

std::vector<std::string> tokenize_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    // ASCII only on purpose: the result must not depend on the process locale.
    bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
    if (alnum) {
      word += static_cast<char>(u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty())
    words.push_back(std::move(word));
  return words;
}

namespace {

class tokenize_operator : public stream_operator {
 public:
  void process(const record& r, collector& out) override {
    for (auto& w : tokenize_words(r.kind == record_kind::number ? r.to_line() : r.text))
      out.emit(record::of(std::move(w)));
  }

  std::string snapshot(std::int64_t) override { return {}; }
};

}  // namespace

operator_descriptor tokenize_descriptor() {
  operator_descriptor d;
  d.name = "tokenize";
  d.role = operator_role::transform;
  d.description = "lines -> lower-cased words (split on anything not a letter or digit)";
  d.validate = [](const operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<tokenize_operator>(); };
  return d;
}

}  // namespace fjord
