// `fjord failpoints`: lists the named failpoints a test can arm (common/failpoints.hpp).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "common/failpoints.hpp"

namespace fjord {

void add_failpoints_command(CLI::App& app, int& exit_code) {
  auto cmd = app.add_subcommand(
    "failpoints", "List the failpoints that FJORD_FAILPOINTS or -D failpoints=... can arm");
  cmd->callback([&exit_code] {
    for (auto& fp : failpoint::catalog())
      std::printf("%-30s %-12s %s\n", fp.name, fp.process, fp.description);
    std::printf("\narm with FJORD_FAILPOINTS=\"name=[P%%]action[@K][*N],...\" or -D failpoints=...; "
                "actions: crash, error(ERRNO), delay(MS), pause, off\n");
    exit_code = 0;
  });
}

}  // namespace fjord
