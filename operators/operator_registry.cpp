// The operator registry and the default key of a record (see operator_registry.hpp).
#include "fjord/operator_registry.hpp"

#include <functional>

#include "operators/builtin_operators.hpp"

namespace fjord {

const char* to_string(operator_role r) {
  switch (r) {
    case operator_role::source:
      return "source";
    case operator_role::transform:
      return "transform";
    case operator_role::sink:
      return "sink";
  }
  return "unknown";
}

operator_registry& operator_registry::global() {
  // A function-local static is initialized exactly once, even with concurrent first calls.
  static operator_registry instance = [] {
    operator_registry r;
    register_builtin_operators(r);
    return r;
  }();
  return instance;
}

void operator_registry::add(operator_descriptor d) {
  auto name = d.name;
  operators_[name] = std::move(d);
}

const operator_descriptor* operator_registry::find(const std::string& name) const {
  auto i = operators_.find(name);
  return i == operators_.end() ? nullptr : &i->second;
}

std::vector<std::string> operator_registry::names() const {
  std::vector<std::string> result;
  result.reserve(operators_.size());
  for (auto& [name, d] : operators_) {
    (void)d;
    result.push_back(name);
  }
  return result;
}

key_selector operator_registry::key_selector_for(const std::string& op,
                                                 const operator_params& params) const {
  if (auto d = find(op); d != nullptr && d->make_key_selector) {
    if (auto selector = d->make_key_selector(params))
      return selector;
  }
  return default_record_key;
}

namespace {

// splitmix64's finalizer: consecutive numbers end up spread over all 64 bits, so
// `key % parallelism` balances even when the inputs are 1, 2, 3, ...
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t default_record_key(const record& r) {
  switch (r.kind) {
    case record_kind::number:
      return mix64(static_cast<std::uint64_t>(r.number));
    case record_kind::text:
      return mix64(std::hash<std::string>{}(r.text));
    case record_kind::text_number:
      return mix64(std::hash<std::string>{}(r.text) ^
                   mix64(static_cast<std::uint64_t>(r.number)));
  }
  return 0;
}

void register_builtin_operators(operator_registry& registry) {
  registry.add(sequence_source_descriptor());
  registry.add(file_lines_source_descriptor());
  registry.add(keyed_sum_descriptor());
  registry.add(tokenize_descriptor());
  registry.add(word_count_descriptor());
  registry.add(stdout_sink_descriptor());
  registry.add(transactional_file_sink_descriptor());
}

}  // namespace fjord
