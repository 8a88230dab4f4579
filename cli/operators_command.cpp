// `fjord operators`: lists the operators a job spec may name.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "fjord/operator_registry.hpp"

namespace fjord {

void add_operators_command(CLI::App& app, int& exit_code) {
  auto cmd = app.add_subcommand("operators", "List the operators a job spec can use");
  cmd->callback([&exit_code] {
    auto& registry = operator_registry::global();
    for (auto& name : registry.names()) {
      auto* d = registry.find(name);
      std::printf("%-20s %-9s %s\n", name.c_str(), to_string(d->role), d->description.c_str());
    }
    exit_code = 0;
  });
}

}  // namespace fjord
