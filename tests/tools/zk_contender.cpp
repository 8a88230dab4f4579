// A leader-election contender in its own process, so that tests can SIGKILL a leader.
//   zk_contender QUORUM ROOT SESSION_TIMEOUT_MS ADDRESS
// Prints "CONTENDING", then "GRANTED <leader session>" / "REVOKED" lines as they happen
// (confirming each grant with ADDRESS), and exits when stdin closes.
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

#include <spdlog/spdlog.h>

#include "stores/zookeeper/zk_leader_election.hpp"
#include "stores/zookeeper/zk_real_client.hpp"

namespace {

class printing_contender : public fjord::leader_contender {
 public:
  printing_contender(std::string address) : address_(std::move(address)) {}
  void attach(fjord::leader_election_service* service) { service_ = service; }

  void grant_leadership(const std::string& session_id) override {
    say("GRANTED " + session_id);
    service_->confirm_leadership(session_id, address_);
  }
  void revoke_leadership() override { say("REVOKED"); }
  void handle_error(const std::string& message) override { say("ERROR " + message); }

  static void say(const std::string& line) {
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::cout << line << std::endl;
  }

 private:
  std::string address_;
  fjord::leader_election_service* service_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: zk_contender QUORUM ROOT SESSION_TIMEOUT_MS ADDRESS\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  fjord::zk::connect_options options;
  options.quorum = argv[1];
  options.root = argv[2];
  options.session_timeout_ms = std::atoll(argv[3]);
  options.connection_timeout_ms = 10000;
  printing_contender contender(argv[4]);
  fjord::zk::zk_leader_election_service election(
    [options] { return fjord::zk::real_zk_client::connect(options); },
    fjord::zk::leader_election_options{});
  contender.attach(&election);
  election.start(&contender);
  printing_contender::say("CONTENDING");
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  election.stop();
  return 0;
}
