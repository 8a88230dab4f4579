// Sink "stdout": prints each record's line, for a first look at a job. At-least-once: after a
// restore, records since the checkpoint are printed again.
#include <cstdio>

#include "operators/builtin_operators.hpp"

namespace fjord {

namespace {

class stdout_sink : public stream_operator {
 public:
  void open(const operator_context& ctx) override {
    prefix_ = ctx.params.get_string("prefix", "");
  }

  void process(const record& r, collector&) override {
    auto line = prefix_ + r.to_line() + '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }

  std::string snapshot(std::int64_t) override {
    std::fflush(stdout);
    return {};
  }

  void close() override { std::fflush(stdout); }

 private:
  std::string prefix_;
};

}  // namespace

operator_descriptor stdout_sink_descriptor() {
  operator_descriptor d;
  d.name = "stdout";
  d.role = operator_role::sink;
  d.description = "prints each record to standard output (param prefix); at-least-once";
  d.validate = [](const operator_params& p) {
    p.allow_only({"prefix"});
    p.get_string("prefix", "");
  };
  d.create = [] { return std::make_unique<stdout_sink>(); };
  return d;
}

}  // namespace fjord
