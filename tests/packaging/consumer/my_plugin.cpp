// A user's operator plugin, built against the installed package only: "times_hundred".
#include <cstdint>
#include <memory>

#include <fjord/fjord.hpp>
#include <fjord/plugin.hpp>

namespace {

class times_hundred : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override { out.emit(value * 100); }
  std::string snapshot(std::int64_t) override { return {}; }
};

}  // namespace

FJORD_PLUGIN(registry) {
  fjord::operator_descriptor d;
  d.name = "times_hundred";
  d.description = "multiplies every number by a hundred (a user's plugin)";
  d.create = [] { return std::make_unique<times_hundred>(); };
  registry.add(std::move(d));
}
