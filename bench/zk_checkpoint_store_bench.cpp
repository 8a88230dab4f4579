// Benchmark: what the loss-free checkpoint store costs over a bare ZooKeeper write.
//
// In one run, against one ZooKeeper server (started here through scripts/zookeeper.sh unless
// --quorum is given):
//   - raw create: the client's synchronous create of a znode holding as many bytes as one
//     encoded checkpoint;
//   - checkpoint add: zk_completed_checkpoint_store::add of that checkpoint (file written,
//     fsynced and renamed, directory fsynced, znode created and the oldest beyond the retention
//     deleted in one transaction, subsumed file deleted), with the storage directory on disk
//     and, for comparison, on tmpfs (no fsync cost);
//   - sustained adds per second for one job.
// The samples of the three latency series are interleaved in rounds so that drift of the
// machine affects them alike. Prints a markdown table.
//
//   zk_checkpoint_store_bench [--quorum 127.0.0.1:2181] [--adds 2000] [--state-bytes 1024]
//                             [--retained 3] [--storage-dir DIR] [--seconds 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "serialization/records.hpp"
#include "stores/zookeeper/file_state_storage.hpp"
#include "stores/zookeeper/zk_completed_checkpoint_store.hpp"
#include "stores/zookeeper/zk_real_client.hpp"

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  if (!pipe)
    throw std::runtime_error("cannot run " + command);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr)
    output += buffer;
  int status = ::pclose(pipe.release());
  if (status != 0)
    throw std::runtime_error(command + " failed: " + output);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' '))
    output.pop_back();
  return output;
}

/// scripts/zookeeper.sh: $FJORD_SOURCE_DIR, then upwards from the executable and from the
/// working directory.
std::string find_script(const char* argv0) {
  std::vector<fs::path> starts;
  if (auto dir = std::getenv("FJORD_SOURCE_DIR"))
    starts.emplace_back(dir);
  std::error_code ec;
  auto exe = fs::canonical("/proc/self/exe", ec);
  starts.push_back(ec ? fs::absolute(argv0).parent_path() : exe.parent_path());
  starts.push_back(fs::current_path());
  for (auto dir : starts)
    for (; !dir.empty(); dir = dir.parent_path()) {
      auto candidate = dir / "scripts" / "zookeeper.sh";
      if (fs::exists(candidate))
        return candidate.string();
      if (dir == dir.parent_path())
        break;
    }
  throw std::runtime_error("scripts/zookeeper.sh not found: set FJORD_SOURCE_DIR or pass "
                           "--quorum");
}

/// A ZooKeeper started for this run and stopped at the end.
class own_server {
 public:
  own_server(const std::string& script) : script_(script) {
    char pattern[] = "/tmp/fjord-bench-zk-XXXXXX";
    if (::mkdtemp(pattern) == nullptr)
      throw std::runtime_error("cannot create a temporary directory");
    dir_ = pattern;
    auto output = run(fmt::format("ZK_OWNER_PID={} bash '{}' start '{}' 2>&1", ::getpid(),
                                  script_, dir_));
    port_ = std::stoi(output.substr(output.rfind('\n') + 1));
  }
  ~own_server() {
    try {
      run(fmt::format("bash '{}' stop '{}' 2>&1", script_, dir_));
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string quorum() const { return fmt::format("127.0.0.1:{}", port_); }

 private:
  std::string script_;
  std::string dir_;
  int port_ = 0;
};

struct temp_directory {
  explicit temp_directory(const std::string& parent) {
    auto pattern = parent + "/fjord-bench-storage-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a directory under " + parent);
    path = pattern;
  }
  ~temp_directory() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

struct stats {
  double median_ms = 0;
  double p99_ms = 0;
};

stats summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    auto i = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
    return samples[std::min(i, samples.size() - 1)];
  };
  return stats{at(0.5), at(0.99)};
}

template <class F>
double time_ms(F&& f) {
  auto start = clock_type::now();
  f();
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

fjord::completed_checkpoint make_checkpoint(std::int64_t id, std::size_t state_bytes) {
  fjord::completed_checkpoint cp;
  cp.job_id = "0123456789abcdef0123456789abcdef";
  cp.checkpoint_id = id;
  cp.timestamp_ms = id;
  cp.completed_ms = id;
  cp.states.push_back(fjord::subtask_state{"source", 0, std::string(state_bytes / 2, 's')});
  cp.states.push_back(fjord::subtask_state{"sink", 0, std::string(state_bytes / 2, 'k')});
  return cp;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Completed-checkpoint add (file + znode) versus a raw ZooKeeper create"};
  std::string quorum;
  int adds = 2000;
  std::size_t state_bytes = 1024;
  int retained = 3;
  std::string storage_parent = "/tmp";
  double seconds = 3;
  app.add_option("--quorum", quorum, "use this ZooKeeper instead of starting one");
  app.add_option("--adds", adds, "latency samples per operation")->check(CLI::Range(100, 1000000));
  app.add_option("--state-bytes", state_bytes, "operator state per checkpoint")
    ->check(CLI::Range(0, 900000));
  app.add_option("--retained", retained, "checkpoints retained")->check(CLI::Range(1, 100));
  app.add_option("--storage-dir", storage_parent, "where the checkpoint files go (on disk)");
  app.add_option("--seconds", seconds, "duration of the sustained run")
    ->check(CLI::Range(0.5, 600.0));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  try {
    std::unique_ptr<own_server> server;
    if (quorum.empty()) {
      server = std::make_unique<own_server>(find_script(argv[0]));
      quorum = server->quorum();
    }
    fjord::zk::connect_options options;
    options.quorum = quorum;
    options.root = fmt::format("/fjord-bench-{}", ::getpid());
    options.session_timeout_ms = 10000;
    auto client = fjord::zk::real_zk_client::connect(options);

    temp_directory disk_dir{storage_parent};
    auto disk = std::make_shared<fjord::file_state_storage>(disk_dir.path);
    std::unique_ptr<temp_directory> shm_dir;
    if (fs::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0)
      shm_dir = std::make_unique<temp_directory>("/dev/shm");
    auto shm = shm_dir ? std::make_shared<fjord::file_state_storage>(shm_dir->path) : nullptr;

    fjord::zk_completed_checkpoint_store on_disk{client, "/checkpoints", "disk", retained, disk};
    std::unique_ptr<fjord::zk_completed_checkpoint_store> on_tmpfs;
    if (shm)
      on_tmpfs = std::make_unique<fjord::zk_completed_checkpoint_store>(client, "/checkpoints",
                                                                        "tmpfs", retained, shm);
    client->create_recursive("/raw");
    auto payload_size = fjord::encode(make_checkpoint(1, state_bytes)).size();
    std::string payload(payload_size, 'x');

    std::vector<double> raw_ms;
    std::vector<double> disk_ms;
    std::vector<double> tmpfs_ms;
    std::int64_t next_id = 1;
    int raw_n = 0;
    const int warmup = std::min(200, adds / 5);
    const int rounds = 20;
    const int per_round = std::max(1, (adds + warmup) / rounds);
    for (int r = 0; r < rounds; ++r) {
      for (int i = 0; i < per_round; ++i, ++raw_n) {
        auto path = fmt::format("/raw/n{:010d}", raw_n);
        raw_ms.push_back(
          time_ms([&] { client->create(path, payload, fjord::zk::create_mode::persistent); }));
      }
      for (int i = 0; i < per_round; ++i) {
        auto cp = make_checkpoint(next_id++, state_bytes);
        disk_ms.push_back(time_ms([&] { on_disk.add(cp); }));
        if (on_tmpfs)
          tmpfs_ms.push_back(time_ms([&] { on_tmpfs->add(cp); }));
      }
    }
    auto drop_warmup = [&](std::vector<double>& v) {
      // The first samples of each series warm up caches and connections.
      v.erase(v.begin(), v.begin() + std::min<std::size_t>(v.size(), warmup));
    };
    drop_warmup(raw_ms);
    drop_warmup(disk_ms);
    drop_warmup(tmpfs_ms);

    // Sustained: one job adding as fast as it can, on disk.
    fjord::zk_completed_checkpoint_store sustained{client, "/checkpoints", "sustained", retained,
                                                   disk};
    auto start = clock_type::now();
    auto deadline = start + std::chrono::duration<double>(seconds);
    std::int64_t sustained_adds = 0;
    while (clock_type::now() < deadline)
      sustained.add(make_checkpoint(++sustained_adds, state_bytes));
    auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();

    auto raw = summarize(raw_ms);
    auto on_disk_stats = summarize(disk_ms);
    std::cout << fmt::format("ZooKeeper {} ({}), {} samples per operation, checkpoint of {} "
                             "bytes encoded ({} bytes of state), {} retained\n\n",
                             quorum, server ? "started by this run, forceSync=no" : "given",
                             raw_ms.size(), payload_size, state_bytes, retained);
    std::cout << "| operation | median ms | p99 ms | median ratio | p99 ratio |\n";
    std::cout << "|---|---|---|---|---|\n";
    auto row = [&](const std::string& name, const stats& s) {
      std::cout << fmt::format("| {} | {:.3f} | {:.3f} | {:.2f}x | {:.2f}x |\n", name,
                               s.median_ms, s.p99_ms, s.median_ms / raw.median_ms,
                               s.p99_ms / raw.p99_ms);
    };
    row(fmt::format("raw create ({} bytes)", payload_size), raw);
    row(fmt::format("checkpoint add, files on disk ({})", storage_parent), on_disk_stats);
    if (!tmpfs_ms.empty())
      row("checkpoint add, files on tmpfs", summarize(tmpfs_ms));
    std::cout << fmt::format("\nsustained: {} adds in {:.2f} s = {:.0f} adds/s for one job "
                             "(files on disk)\n",
                             sustained_adds, elapsed,
                             static_cast<double>(sustained_adds) / elapsed);
    sustained.shutdown(fjord::job_state::finished);
    on_disk.shutdown(fjord::job_state::finished);
    if (on_tmpfs)
      on_tmpfs->shutdown(fjord::job_state::finished);
    client->remove_recursive("/");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "zk_checkpoint_store_bench: " << e.what() << "\n";
    return 1;
  }
}
