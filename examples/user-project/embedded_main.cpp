// square_numbers OUT_DIR [TO]: squares 1..TO (default 1000) in a local Fjord cluster inside
// this program's own actor system, exactly once into OUT_DIR, and prints the job's end.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <fjord/fjord.hpp>

#include "square.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: square_numbers OUT_DIR [TO]\n");
    return 2;
  }
  long long to = 1000;
  if (argc > 2) {
    char* end = nullptr;
    to = std::strtoll(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0' || to < 1) {
      std::fprintf(stderr, "square_numbers: TO must be a number >= 1, got '%s'\n", argv[2]);
      return 2;
    }
  }
  user::register_operators(fjord::operator_registry::global());

  caf::actor_system_config cfg;
  fjord::add_message_types(cfg);
  caf::actor_system sys{cfg};

  fjord::job job = [&] {
    try {
      return fjord::job_builder{"squares"}
        .vertex("numbers", "sequence", 2,
                {{"from", 1}, {"to", to}})
        .vertex("square", "square", 2)
        .vertex("out", "transactional_file", 1, {{"output_dir", argv[1]}})
        .edge("numbers", "square", "forward")
        .edge("square", "out", "rebalance")
        .checkpoint_interval(std::chrono::milliseconds{50})
        .build();
    } catch (const fjord::spec_error& e) {
      std::fprintf(stderr, "square_numbers: %s\n", e.what());
      std::exit(2);
    }
  }();

  fjord::local_cluster cluster{sys, {2, 2, {}}};
  auto id = cluster.client().submit(job);
  if (!id) {
    std::fprintf(stderr, "square_numbers: %s\n", fjord::describe(id.error()).c_str());
    return 1;
  }
  auto end = cluster.client().wait(*id, std::chrono::minutes{5});
  if (!end) {
    std::fprintf(stderr, "square_numbers: %s\n", fjord::describe(end.error()).c_str());
    return 1;
  }
  std::printf("job %s %s: %lld records in, %lld checkpoints\n", id->c_str(),
              fjord::to_string(end->state), static_cast<long long>(end->records_in),
              static_cast<long long>(end->checkpoints_completed));
  return end->state == fjord::job_state::finished ? 0 : 1;
}
