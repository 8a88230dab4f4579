// check_word_count: verifies the committed output of examples/jobs/word_count.json.
//   check_word_count --spec examples/jobs/word_count.json [--set P=V ...]
//   check_word_count --input examples/data/words.txt --output-dir out/word_count
// Prints one verdict line; exit 0 = PASS, 1 = FAIL, 2 = no verdict (bad arguments, no output).
#include <iostream>

#include <CLI/CLI.hpp>

#include "examples/checkers/word_count_check.hpp"
#include "fjord/operator_registry.hpp"
#include "operators/job_spec.hpp"

int main(int argc, char** argv) {
  using namespace fjord;
  CLI::App app{"Verifies that the word-count job's committed output holds every running count "
               "of every word exactly once."};
  std::string spec;
  std::vector<std::string> sets;
  checkers::word_count_params params;
  app.add_option("--spec", spec, "job spec to take the input path and output_dir from");
  app.add_option("--set", sets, "PATH=VALUE override of the spec, as for `fjord run`");
  auto input = app.add_option("--input", params.input, "the text file the job read");
  auto output_dir = app.add_option("--output-dir", params.output_dir, "committed output dir");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    std::cerr << "check_word_count: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  try {
    if (!spec.empty()) {
      auto explicit_params = params;
      params = checkers::word_count_params_from(
        load_job_spec(spec, operator_registry::global(), sets));
      if (input->count() > 0)
        params.input = explicit_params.input;
      if (output_dir->count() > 0)
        params.output_dir = explicit_params.output_dir;
    } else {
      for (auto option : {input, output_dir})
        if (option->count() == 0)
          throw checkers::usage_error("pass --spec FILE, or both --input and --output-dir (" +
                                      option->get_name() + " is missing)");
    }
    auto result = checkers::check_word_count(params);
    std::cout << result.verdict << std::endl;
    return result.passed ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "check_word_count: error: " << e.what() << "\n";
    return 2;
  }
}
