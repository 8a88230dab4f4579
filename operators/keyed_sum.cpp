// Operator "keyed_sum": a running sum per key = value mod keys; emits "<key> <value> <sum>".
#include <map>

#include "operators/builtin_operators.hpp"
#include "fjord/state_bytes.hpp"

namespace fjord {

namespace {

// Non-negative even for negative values, so that -1 with 16 keys lands on key 15.
std::int64_t key_of(std::int64_t value, std::int64_t keys) {
  auto k = value % keys;
  return k < 0 ? k + keys : k;
}

class keyed_sum : public stream_operator {
 public:
  // Checked again here: a graph may reach a TaskManager without the client's validation.
  void open(const operator_context& ctx) override {
    keys_ = ctx.params.get_int_at_least("keys", 1);
  }

  void restore(const std::string& bytes, std::int64_t) override {
    sums_ = from_bytes<std::map<std::int64_t, std::int64_t>>(bytes);
  }

  std::string snapshot(std::int64_t) override { return to_bytes(sums_); }

  void process(const record& r, collector& out) override {
    auto key = key_of(r.number, keys_);
    auto& sum = sums_[key];
    sum += r.number;
    out.emit(record::of(std::to_string(key) + ' ' + std::to_string(r.number) + ' ' +
                        std::to_string(sum)));
  }

 private:
  std::int64_t keys_ = 1;
  std::map<std::int64_t, std::int64_t> sums_;
};

}  // namespace

operator_descriptor keyed_sum_descriptor() {
  operator_descriptor d;
  d.name = "keyed_sum";
  d.role = operator_role::transform;
  d.description = "running sum per key (value mod keys); emits \"<key> <value> <running_sum>\"";
  d.validate = [](const operator_params& p) {
    p.allow_only({"keys"});
    p.get_int_at_least("keys", 1);
  };
  d.create = [] { return std::make_unique<keyed_sum>(); };
  // A hash edge routes by exactly this key, so one subtask sees every value of a key.
  d.make_key_selector = [](const operator_params& p) -> key_selector {
    auto keys = p.get_int_at_least("keys", 1);
    return [keys](const record& r) { return static_cast<std::uint64_t>(key_of(r.number, keys)); };
  };
  return d;
}

}  // namespace fjord
