// `fjord`: run a job in an embedded cluster, or (issue 4) run and talk to a cluster.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Fjord: fault-tolerant stateful dataflow on CAF"};
  app.require_subcommand(1);
  int exit_code = 0;
  fjord::add_run_command(app, exit_code);
  fjord::add_operators_command(app, exit_code);
  fjord::add_jobmanager_command(app, exit_code);
  fjord::add_taskmanager_command(app, exit_code);
  fjord::add_client_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "fjord: %s (see fjord --help)\n", e.what());
    return 2;
  }
  return exit_code;
}
