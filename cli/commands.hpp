// The subcommands of the `fjord` executable. Each adds itself to the CLI11 app and, when run,
// stores the process exit code in `exit_code`: 0 on success, 1 when the job did not finish,
// 2 for bad arguments, configuration or job specs.
#pragma once

namespace CLI {
class App;
}

namespace fjord {

void add_run_command(CLI::App& app, int& exit_code);
void add_operators_command(CLI::App& app, int& exit_code);
void add_failpoints_command(CLI::App& app, int& exit_code);
void add_jobmanager_command(CLI::App& app, int& exit_code);
void add_taskmanager_command(CLI::App& app, int& exit_code);
void add_client_commands(CLI::App& app, int& exit_code);

}  // namespace fjord
