// A test plugin: operator "plugin_test_triple" multiplies every number by 3. Built several times:
// as it is, and with FJORD_TEST_BUILT_AGAINST_* or FJORD_TEST_PLUGIN_ABI set, which replace what
// FJORD_PLUGIN embeds, as if it had been compiled against other Fjord headers.
#include <cstdint>
#include <memory>
#include <string>

#include <fjord/operator_registry.hpp>
#include <fjord/plugin.hpp>
#include <fjord/state_bytes.hpp>
#include <fjord/typed_operator.hpp>

#ifdef FJORD_TEST_BUILT_AGAINST_MINOR
#undef FJORD_VERSION_MAJOR
#undef FJORD_VERSION_MINOR
#undef FJORD_VERSION_PATCH
#define FJORD_VERSION_MAJOR FJORD_TEST_BUILT_AGAINST_MAJOR
#define FJORD_VERSION_MINOR FJORD_TEST_BUILT_AGAINST_MINOR
#define FJORD_VERSION_PATCH FJORD_TEST_BUILT_AGAINST_PATCH
#endif
#ifdef FJORD_TEST_PLUGIN_ABI
#undef FJORD_PLUGIN_ABI_VERSION
#define FJORD_PLUGIN_ABI_VERSION FJORD_TEST_PLUGIN_ABI
#endif

namespace {

class triple : public fjord::typed_operator<std::int64_t, std::int64_t> {
 public:
  void on_record(std::int64_t value, output& out) override {
    ++seen_;
    out.emit(3 * value);
  }
  std::string snapshot(std::int64_t) override { return fjord::to_bytes(seen_); }
  void restore(const std::string& bytes, std::int64_t) override {
    seen_ = fjord::from_bytes<std::int64_t>(bytes);
  }

 private:
  std::int64_t seen_ = 0;
};

}  // namespace

FJORD_PLUGIN(registry) {
  fjord::operator_descriptor d;
  d.name = "plugin_test_triple";
  d.role = fjord::operator_role::transform;
  d.description = "every number times 3 (test plugin)";
  d.validate = [](const fjord::operator_params& p) { p.allow_only({}); };
  d.create = [] { return std::make_unique<triple>(); };
  registry.add(std::move(d));
}
