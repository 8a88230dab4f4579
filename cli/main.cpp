// `fjord`: run a job in an embedded cluster, run a JobManager or TaskManager, talk to a cluster.
// The same few lines give a user's program the whole CLI with its own operators (fjord/cli.hpp).
#include <fjord/fjord.hpp>

int main(int argc, char** argv) {
  return fjord::cli_main(argc, argv, fjord::operator_registry::global());
}
