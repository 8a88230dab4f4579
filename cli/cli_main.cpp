#include "fjord/cli.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "common/failpoints.hpp"
#include "fjord/configuration.hpp"
#include "fjord/version.hpp"
#include "fjord/operator_registry.hpp"

namespace fjord {

int cli_main(int argc, char** argv, operator_registry& registry) {
  auto& global = operator_registry::global();
  if (&registry != &global)
    for (auto& name : registry.names())
      if (global.find(name) == nullptr)
        global.add(*registry.find(name));
  try {
    failpoint::configure_from_environment();
  } catch (const config_error& e) {
    std::fprintf(stderr, "fjord: FJORD_FAILPOINTS: %s\n", e.what());
    return 2;
  }
  CLI::App app{"Fjord: fault-tolerant stateful dataflow on CAF"};
  app.set_version_flag("--version", std::string{"fjord "} + FJORD_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  add_run_command(app, exit_code);
  add_operators_command(app, exit_code);
  add_failpoints_command(app, exit_code);
  add_jobmanager_command(app, exit_code);
  add_taskmanager_command(app, exit_code);
  add_client_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "fjord: %s (see fjord --help)\n", e.what());
    return 2;
  }
  return exit_code;
}

}  // namespace fjord
