#include "stores/zookeeper/zk_fault_injector.hpp"

#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace fjord::zk {

const char* to_string(call_kind k) {
  switch (k) {
    case call_kind::create:
      return "create";
    case call_kind::create_recursive:
      return "create_recursive";
    case call_kind::get:
      return "get";
    case call_kind::set:
      return "set";
    case call_kind::remove:
      return "remove";
    case call_kind::remove_recursive:
      return "remove_recursive";
    case call_kind::exists:
      return "exists";
    case call_kind::children:
      return "children";
    case call_kind::multi:
      return "multi";
  }
  return "unknown";
}

const char* to_string(fault_timing t) {
  return t == fault_timing::before ? "before" : "after";
}

fault_injecting_zk_client::fault_injecting_zk_client(client_ptr inner, std::uint64_t seed)
  : inner_(std::move(inner)), random_(seed) {
  if (!inner_)
    throw std::invalid_argument("fault_injecting_zk_client needs a client to wrap");
}

void fault_injecting_zk_client::set_fault_probability(double probability, double after_share) {
  if (probability < 0.0 || probability > 1.0 || after_share < 0.0 || after_share > 1.0)
    throw std::invalid_argument("fault probabilities must lie in [0, 1]");
  std::lock_guard<std::mutex> lock(mutex_);
  probability_ = probability;
  after_share_ = after_share;
}

void fault_injecting_zk_client::fail_call(call_kind kind, std::uint64_t nth,
                                          fault_timing timing, error_code code) {
  if (nth == 0)
    throw std::invalid_argument("call numbers start at 1");
  std::lock_guard<std::mutex> lock(mutex_);
  plan_[{kind, nth}] = {timing, code};
}

void fault_injecting_zk_client::fail_next(call_kind kind, fault_timing timing,
                                          error_code code) {
  std::lock_guard<std::mutex> lock(mutex_);
  plan_[{kind, counts_[kind] + 1}] = {timing, code};
}

void fault_injecting_zk_client::clear_faults() {
  std::lock_guard<std::mutex> lock(mutex_);
  plan_.clear();
  probability_ = 0.0;
}

std::uint64_t fault_injecting_zk_client::calls(call_kind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = counts_.find(kind);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<injected_fault> fault_injecting_zk_client::injected() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return injected_;
}

std::optional<injected_fault> fault_injecting_zk_client::decide(call_kind kind,
                                                                const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto n = ++counts_[kind];
  std::optional<fault_timing> timing;
  auto code = error_code::connection_loss;
  auto planned = plan_.find({kind, n});
  if (planned != plan_.end()) {
    timing = planned->second.first;
    code = planned->second.second;
    plan_.erase(planned);
  } else if (probability_ > 0.0) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    if (uniform(random_) < probability_)
      timing = uniform(random_) < after_share_ ? fault_timing::after : fault_timing::before;
  }
  if (!timing)
    return std::nullopt;
  injected_fault fault{kind, n, *timing, path, code};
  injected_.push_back(fault);
  spdlog::debug("fault injector: {} #{} on {} fails {} the call ({})", to_string(kind), n, path,
                to_string(*timing), to_string(code));
  return fault;
}

template <class F>
auto fault_injecting_zk_client::run(call_kind kind, const std::string& path, F&& f)
  -> decltype(f()) {
  auto fault = decide(kind, path);
  if (!fault)
    return f();
  auto what =
    std::string(to_string(kind)) + " (injected fault " + to_string(fault->timing) + ")";
  if (fault->timing == fault_timing::before)
    throw zk_error(fault->code, path, what);
  f();  // applied, but the answer is "lost"
  throw zk_error(fault->code, path, what);
}

std::string fault_injecting_zk_client::create(const std::string& path, const std::string& data,
                                              create_mode mode) {
  return run(call_kind::create, path, [&] { return inner_->create(path, data, mode); });
}

void fault_injecting_zk_client::create_recursive(const std::string& path) {
  run(call_kind::create_recursive, path, [&] { inner_->create_recursive(path); });
}

std::optional<get_result> fault_injecting_zk_client::get(const std::string& path,
                                                         watch_callback watch) {
  return run(call_kind::get, path, [&] { return inner_->get(path, std::move(watch)); });
}

node_stat fault_injecting_zk_client::set(const std::string& path, const std::string& data,
                                         std::int32_t version) {
  return run(call_kind::set, path, [&] { return inner_->set(path, data, version); });
}

void fault_injecting_zk_client::remove(const std::string& path, std::int32_t version) {
  run(call_kind::remove, path, [&] { inner_->remove(path, version); });
}

void fault_injecting_zk_client::remove_recursive(const std::string& path) {
  run(call_kind::remove_recursive, path, [&] { inner_->remove_recursive(path); });
}

std::optional<node_stat> fault_injecting_zk_client::exists(const std::string& path,
                                                           watch_callback watch) {
  return run(call_kind::exists, path, [&] { return inner_->exists(path, std::move(watch)); });
}

children_result fault_injecting_zk_client::children(const std::string& path,
                                                    watch_callback watch) {
  return run(call_kind::children, path,
             [&] { return inner_->children(path, std::move(watch)); });
}

std::vector<op_result> fault_injecting_zk_client::multi(const std::vector<op>& ops) {
  return run(call_kind::multi, ops.empty() ? std::string("/") : ops.front().path,
             [&] { return inner_->multi(ops); });
}

void fault_injecting_zk_client::set_connection_listener(connection_listener listener) {
  inner_->set_connection_listener(std::move(listener));
}

std::int64_t fault_injecting_zk_client::session_id() const {
  return inner_->session_id();
}

std::int64_t fault_injecting_zk_client::session_timeout_ms() const {
  return inner_->session_timeout_ms();
}

connection_state fault_injecting_zk_client::state() const {
  return inner_->state();
}

void fault_injecting_zk_client::close() {
  inner_->close();
}

}  // namespace fjord::zk
