// Recorders of what a ZooKeeper client delivered to its callbacks (watch events, connection
// states), read by the test thread. Keep each in a shared_ptr: a late callback never outlives it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "stores/zookeeper/zk_client.hpp"

namespace fjord::testing {

inline const char* to_string(zk::watch_event_type t) {
  switch (t) {
    case zk::watch_event_type::created:
      return "created";
    case zk::watch_event_type::deleted:
      return "deleted";
    case zk::watch_event_type::changed:
      return "changed";
    case zk::watch_event_type::child:
      return "child";
  }
  return "unknown";
}

/// Collects watch events; keep it in a shared_ptr so a late event never outlives it.
class event_recorder : public std::enable_shared_from_this<event_recorder> {
 public:
  zk::watch_callback callback() {
    auto self = shared_from_this();
    return [self](const zk::watch_event& e) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->events_.push_back(e);
    };
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
  }
  std::vector<zk::watch_event> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  /// "changed /path" per event: readable in a failed CHECK.
  std::vector<std::string> described() const {
    std::vector<std::string> out;
    for (const auto& e : events())
      out.push_back(std::string(to_string(e.type)) + " " + e.path);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<zk::watch_event> events_;
};

/// Collects connection states delivered to a listener.
class state_recorder : public std::enable_shared_from_this<state_recorder> {
 public:
  zk::connection_listener listener() {
    auto self = shared_from_this();
    return [self](zk::connection_state s) {
      std::lock_guard<std::mutex> lock(self->mutex_);
      self->states_.push_back(s);
    };
  }
  std::vector<zk::connection_state> states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_;
  }
  bool saw(zk::connection_state s) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto x : states_)
      if (x == s)
        return true;
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<zk::connection_state> states_;
};

}  // namespace fjord::testing
