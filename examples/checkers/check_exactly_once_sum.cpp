// check_exactly_once_sum: verifies the committed output of examples/jobs/exactly_once_sum.json.
//   check_exactly_once_sum --spec examples/jobs/exactly_once_sum.json [--set P=V ...]
//   check_exactly_once_sum --output-dir D --from 1 --to 1000000 --keys 16
// Prints one verdict line; exit 0 = PASS, 1 = FAIL, 2 = no verdict (bad arguments, no output).
#include <iostream>

#include <CLI/CLI.hpp>

#include "examples/checkers/exactly_once_sum_check.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"

int main(int argc, char** argv) {
  using namespace fjord;
  CLI::App app{"Verifies that the exactly-once sum job's committed output holds every value "
               "exactly once with exact running sums."};
  std::string spec;
  std::vector<std::string> sets;
  checkers::exactly_once_sum_params params;
  app.add_option("--spec", spec, "job spec to take from, to, keys and output_dir from");
  app.add_option("--set", sets, "PATH=VALUE override of the spec, as for `fjord run`");
  auto output_dir = app.add_option("--output-dir", params.output_dir, "committed output dir");
  auto from = app.add_option("--from", params.from, "first value of the sequence");
  auto to = app.add_option("--to", params.to, "last value of the sequence");
  auto keys = app.add_option("--keys", params.keys, "number of keys of keyed_sum");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    std::cerr << "check_exactly_once_sum: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  try {
    if (!spec.empty()) {
      auto explicit_params = params;
      params = checkers::exactly_once_sum_params_from(
        load_job_spec(spec, operator_registry::global(), sets));
      // Explicit options win over the spec.
      if (output_dir->count() > 0)
        params.output_dir = explicit_params.output_dir;
      if (from->count() > 0)
        params.from = explicit_params.from;
      if (to->count() > 0)
        params.to = explicit_params.to;
      if (keys->count() > 0)
        params.keys = explicit_params.keys;
    } else {
      for (auto option : {output_dir, from, to, keys})
        if (option->count() == 0)
          throw checkers::usage_error("pass --spec FILE, or all of --output-dir, --from, --to "
                                      "and --keys (" + option->get_name() + " is missing)");
    }
    auto result = checkers::check_exactly_once_sum(params);
    std::cout << result.verdict << std::endl;
    return result.passed ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "check_exactly_once_sum: error: " << e.what() << "\n";
    return 2;
  }
}
