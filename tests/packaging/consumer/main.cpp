// A user's own fjord binary: the built-ins plus "times_ten", registered in a few lines.
#include <cstdint>
#include <memory>

#include <fjord/fjord.hpp>

namespace {

class times_ten : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value * 10); }
  std::string snapshot(std::int64_t) override { return {}; }
  void restore(const std::string&, std::int64_t) override {}
};

}  // namespace

int main(int argc, char** argv) {
  auto& registry = fjord::operator_registry::global();
  fjord::operator_descriptor d;
  d.name = "times_ten";
  d.role = fjord::operator_role::transform;
  d.description = "multiplies every number by ten (a user's operator)";
  d.validate = [](const fjord::operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<times_ten>(); };
  registry.add(std::move(d));
  return fjord::cli_main(argc, argv, registry);
}
