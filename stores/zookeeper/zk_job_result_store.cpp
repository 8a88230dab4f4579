#include "stores/zookeeper/zk_job_result_store.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stores/store_error.hpp"
#include "stores/zookeeper/zk_job_id.hpp"
#include "stores/zookeeper/zk_state_handle_store.hpp"

namespace fjord {

namespace {

using kind = store_error::kind;

}  // namespace

zk_job_result_store::zk_job_result_store(zk::client_ptr client, std::string job_results_path,
                                         zk::retry_policy retry)
  : client_(std::move(client)), root_(std::move(job_results_path)), retry_(retry) {
  if (!client_)
    throw store_error(kind::invalid_argument, "the job result store needs a client");
  if (root_.empty() || root_.front() != '/')
    throw store_error(kind::invalid_argument,
                      fmt::format("job results path '{}' must start with '/'", root_));
  if (root_.size() > 1 && root_.back() == '/')
    root_.pop_back();
}

std::string zk_job_result_store::path_of(const std::string& job_id) const {
  checked_job_id(job_id);
  return root_ + "/" + job_id;
}

void zk_job_result_store::put(const job_result& result) {
  auto path = path_of(result.job_id);
  if (!is_globally_terminal(result.state))
    throw store_error(kind::invalid_argument,
                      fmt::format("job {}: only a globally terminal state is a result, not {}",
                                  result.job_id, to_string(result.state)));
  auto data = encode(result);
  try {
    retry_.run([&] { client_->create_recursive(root_); });
    try {
      retry_.run([&] { return client_->create(path, data, zk::create_mode::persistent); });
    } catch (const zk::zk_error& e) {
      // Exists: recorded before (maybe by a retried create of ours): the newest result wins.
      if (e.code() != zk::error_code::node_exists)
        throw;
      retry_.run([&] { return client_->set(path, data, -1); });
    }
  } catch (const zk::zk_error& e) {
    throw to_store_error(e);
  }
}

std::optional<job_result> zk_job_result_store::get(const std::string& job_id) {
  auto path = path_of(job_id);
  auto raw = store_call(retry_, [&] { return client_->get(path); });
  if (!raw)
    return std::nullopt;
  try {
    return decode<job_result>(raw->data);
  } catch (const envelope_error& e) {
    throw store_error(kind::corrupt,
                      fmt::format("znode {} holds no valid job result: {}", path, e.what()));
  }
}

bool zk_job_result_store::contains(const std::string& job_id) {
  auto path = path_of(job_id);
  return store_call(retry_, [&] { return client_->exists(path); }).has_value();
}

void zk_job_result_store::remove(const std::string& job_id) {
  auto path = path_of(job_id);
  try {
    retry_.run([&] { client_->remove(path, -1); });
  } catch (const zk::zk_error& e) {
    if (e.code() != zk::error_code::no_node)
      throw to_store_error(e);
  }
}

std::vector<std::string> zk_job_result_store::job_ids() {
  try {
    auto names = retry_.run([&] { return client_->children(root_); }).names;
    std::sort(names.begin(), names.end());
    return names;
  } catch (const zk::zk_error& e) {
    if (e.code() == zk::error_code::no_node)
      return {};
    throw to_store_error(e);
  }
}

std::vector<job_result> zk_job_result_store::all() {
  std::vector<job_result> results;
  for (auto& id : job_ids()) {
    try {
      if (auto result = get(id))  // nullopt: removed since the listing
        results.push_back(std::move(*result));
    } catch (const store_error& e) {
      if (e.which() != kind::corrupt)
        throw;
      spdlog::error("job {}: its result is unreadable, skipped: {}", id, e.what());
    }
  }
  return results;
}

}  // namespace fjord
