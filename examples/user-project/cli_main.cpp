// my_fjord: the whole fjord command line (run, jobmanager, taskmanager, submit, ...) with the
// user's "square" operator in it.
#include <fjord/fjord.hpp>

#include "square.hpp"

int main(int argc, char** argv) {
  auto& registry = fjord::operator_registry::global();
  user::register_operators(registry);
  return fjord::cli_main(argc, argv, registry);
}
