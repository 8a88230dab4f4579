// A hostile ZooKeeper writer for process tests: overwrites a znode (creating it if missing) with
// no identity, as anyone who reaches an open ZooKeeper can.
//   zk_forge QUORUM PATH leader ADDRESS_FILE SESSION   an encoded leader_info whose address is
//                                                      ADDRESS_FILE's bytes (binary allowed)
//   zk_forge QUORUM PATH raw FILE                      FILE's bytes as they are
// Prints "FORGED PATH <bytes>" and exits 0, or one line on stderr and exits 1.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <spdlog/spdlog.h>

#include "serialization/records.hpp"
#include "stores/zookeeper/zk_real_client.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 3 ? argv[3] : "";
  if (!((mode == "leader" && argc == 6) || (mode == "raw" && argc == 5))) {
    std::cerr << "usage: zk_forge QUORUM PATH leader ADDRESS_FILE SESSION | "
                 "zk_forge QUORUM PATH raw FILE\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  try {
    std::string path = argv[2];
    auto data = mode == "raw" ? read_file(argv[4])
                              : fjord::encode(fjord::leader_info{read_file(argv[4]), argv[5]});
    fjord::zk::connect_options options;
    options.quorum = argv[1];
    options.root = "/";
    options.connection_timeout_ms = 10000;
    auto client = fjord::zk::real_zk_client::connect(options);
    try {
      client->set(path, data, -1);
    } catch (const fjord::zk::zk_error& e) {
      if (e.code() != fjord::zk::error_code::no_node)
        throw;
      client->create_recursive(path.substr(0, path.rfind('/')));
      client->create(path, data, fjord::zk::create_mode::persistent);
    }
    std::cout << "FORGED " << path << " " << data.size() << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "zk_forge: " << e.what() << "\n";
    return 1;
  }
}
