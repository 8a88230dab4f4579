// Leader election and leader retrieval. Standalone: the single JobManager is always leader.
// ZooKeeper: an ephemeral-sequential latch plus an ephemeral /leader node.
//
// Callbacks run on the service's own worker thread (never a caller's thread) and must only
// enqueue a message to an actor; they are never called concurrently with each other.
#pragma once

#include <string>

namespace fjord {

class leader_contender {
 public:
  virtual ~leader_contender() = default;
  /// This contender is now leader under `session_id` (a fresh UUID per grant).
  virtual void grant_leadership(const std::string& session_id) = 0;
  /// Leadership is gone (connection suspended or session expired); stop acting as leader.
  virtual void revoke_leadership() = 0;
  /// The service failed for good: it will neither grant nor retry any more. Errors it retries
  /// itself (a lost connection, a failed write) are never reported here.
  virtual void handle_error(const std::string& message) = 0;
};

class leader_election_service {
 public:
  virtual ~leader_election_service() = default;
  virtual void start(leader_contender* contender) = 0;
  virtual void stop() = 0;
  /// Publishes (address, session id) as the leader info once the contender took over.
  /// Ignored if `session_id` is not the current grant.
  virtual void confirm_leadership(const std::string& session_id, const std::string& address) = 0;
  /// True only if the grant `session_id` is still held.
  virtual bool has_leadership(const std::string& session_id) = 0;
  /// A ZooKeeper node (in the stores' namespace) that exists exactly while the grant
  /// `session_id` is held, for writes that check it in the same transaction; a node that
  /// cannot exist if `session_id` is not the current grant; empty if this service has no such
  /// node (standalone: nothing to fence against).
  virtual std::string fencing_node(const std::string& session_id) {
    (void)session_id;
    return {};
  }
};

class leader_retrieval_listener {
 public:
  virtual ~leader_retrieval_listener() = default;
  /// The leader changed; empty strings mean "no leader right now". Only called on a change.
  virtual void notify_leader_address(const std::string& address,
                                     const std::string& session_id) = 0;
  /// An error the service met while following the leader; it keeps trying (for logs and a
  /// client's error line, not a reason to stop).
  virtual void handle_error(const std::string& message) = 0;
};

class leader_retrieval_service {
 public:
  virtual ~leader_retrieval_service() = default;
  virtual void start(leader_retrieval_listener* listener) = 0;
  virtual void stop() = 0;
};

}  // namespace fjord
