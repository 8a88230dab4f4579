#include "stores/zookeeper/zk_checkpoint_id_counter.hpp"

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "stores/store_error.hpp"
#include "stores/zookeeper/zk_job_id.hpp"
#include "stores/zookeeper/zk_state_handle_store.hpp"

namespace fjord {

namespace {

using kind = store_error::kind;

std::string counter_node(const std::string& parent, const std::string& job_id) {
  checked_job_id(job_id);
  if (parent.empty() || parent.front() != '/')
    throw store_error(kind::invalid_argument,
                      fmt::format("checkpoint counter path '{}' must start with '/'", parent));
  return (parent.back() == '/' ? parent : parent + "/") + job_id;
}

std::int64_t parse_count(const std::string& data, const std::string& path) {
  std::size_t used = 0;
  std::int64_t value = 0;
  try {
    value = std::stoll(data, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (data.empty() || used != data.size() || value < 1)
    throw store_error(kind::corrupt,
                      fmt::format("checkpoint counter {} holds '{}', not a positive number", path,
                                  data.substr(0, 40)));
  return value;
}

}  // namespace

zk_checkpoint_id_counter::zk_checkpoint_id_counter(zk::client_ptr client,
                                                   const std::string& counter_path,
                                                   std::string job_id, zk::retry_policy retry)
  : client_(std::move(client)),
    parent_(counter_path),
    path_(counter_node(counter_path, job_id)),
    job_id_(std::move(job_id)),
    retry_(retry) {
  if (!client_)
    throw store_error(kind::invalid_argument, "a checkpoint id counter needs a client");
}

void zk_checkpoint_id_counter::ensure_available() const {
  auto state = client_->state();
  if (state == zk::connection_state::suspended || state == zk::connection_state::expired)
    throw store_error(kind::unavailable,
                      fmt::format("checkpoint ids of job {} are unavailable: the ZooKeeper "
                                  "connection is {}",
                                  short_id(job_id_), zk::to_string(state)));
}

void zk_checkpoint_id_counter::start() {
  std::lock_guard<std::mutex> guard{mutex_};
  ensure_available();
  try {
    retry_.run([&] { client_->create_recursive(parent_); });
    try {
      retry_.run([&] { return client_->create(path_, "1", zk::create_mode::persistent); });
    } catch (const zk::zk_error& e) {
      if (e.code() != zk::error_code::node_exists)
        throw;
    }
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
}

void zk_checkpoint_id_counter::shutdown(job_state final_state) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!is_globally_terminal(final_state))
    return;
  try {
    retry_.run([&] { client_->remove(path_, -1); });
  } catch (const zk::zk_error& e) {
    if (e.code() != zk::error_code::no_node)
      throw to_store_error(e);
  }
}

std::pair<std::int64_t, std::int32_t> zk_checkpoint_id_counter::read() const {
  auto raw = store_call(retry_, [&] { return client_->get(path_); });
  if (!raw)
    throw store_error(kind::invalid_state,
                      fmt::format("checkpoint counter {} does not exist (not started, or the "
                                  "job's data was deleted)",
                                  path_));
  return {parse_count(raw->data, path_), raw->stat.version};
}

std::int64_t zk_checkpoint_id_counter::get_and_increment() {
  std::lock_guard<std::mutex> guard{mutex_};
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 1; attempt <= max_cas_attempts; ++attempt) {
    ensure_available();
    auto [value, version] = read();
    try {
      retry_.run([&, value = value, version = version] {
        return client_->set(path_, std::to_string(value + 1), version);
      });
      return value;
    } catch (const zk::zk_error& e) {
      // bad_version: another instance won, or a retried set of ours had been applied (then
      // `value` is skipped, never handed out twice). Read again.
      if (e.code() != zk::error_code::bad_version)
        throw to_store_error(e);
    }
    if (attempt % 8 == 0)  // heavy contention: step aside for a moment
      std::this_thread::sleep_for(std::chrono::microseconds{jitter() % 1000});
  }
  throw store_error(kind::conflict,
                    fmt::format("checkpoint counter {}: lost the compare-and-set race {} times",
                                path_, max_cas_attempts));
}

std::int64_t zk_checkpoint_id_counter::get() {
  std::lock_guard<std::mutex> guard{mutex_};
  ensure_available();
  return read().first;
}

void zk_checkpoint_id_counter::set_count(std::int64_t next) {
  if (next < 1)
    throw store_error(kind::invalid_argument,
                      fmt::format("checkpoint counter value must be at least 1, got {}", next));
  std::lock_guard<std::mutex> guard{mutex_};
  ensure_available();
  try {
    try {
      retry_.run([&] { return client_->set(path_, std::to_string(next), -1); });
    } catch (const zk::zk_error& e) {
      if (e.code() != zk::error_code::no_node)
        throw;
      retry_.run([&] { client_->create_recursive(parent_); });
      retry_.run(
        [&] { return client_->create(path_, std::to_string(next), zk::create_mode::persistent); });
    }
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
}

}  // namespace fjord
