// The whole `fjord` command line (run, operators, jobmanager, taskmanager, submit, status,
// list, cancel, ...) for a user's own program, with the user's operators in it:
//
//   int main(int argc, char** argv) {
//     auto& registry = fjord::operator_registry::global();
//     my::register_operators(registry);
//     return fjord::cli_main(argc, argv, registry);
//   }
#pragma once

namespace fjord {

class operator_registry;

/// Parses the arguments, runs the subcommand and returns the process exit code: 0 on success,
/// 1 when a job did not finish, 2 for bad arguments, configuration or job specs. Operators of
/// `registry` that the process-wide registry does not hold yet are added to it first (jobs find
/// operators there).
int cli_main(int argc, char** argv, operator_registry& registry);

}  // namespace fjord
