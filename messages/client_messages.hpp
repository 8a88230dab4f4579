// Client <-> JobManager messages: submit, cancel, status, list, and failure injection for
// tests and demos. Every request carries the leader session id the client believes in; the
// JobManager refuses requests for another session (fencing).
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

#include "messages/job_graph.hpp"

namespace fjord {

/// Reply: `job_submitted` once the job graph is persisted, or an error.
struct submit_job {
  std::string leader_session;
  job_graph graph;  ///< job_id may be empty: the JobManager assigns one
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_job& x) {
  return f(caf::meta::type_name("fjord.submit_job"), x.leader_session, x.graph);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const submit_job& a, const submit_job& b) {
  return a.leader_session == b.leader_session
         && a.graph == b.graph;
}

inline bool operator!=(const submit_job& a, const submit_job& b) {
  return !(a == b);
}

struct job_submitted {
  std::string job_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_submitted& x) {
  return f(caf::meta::type_name("fjord.job_submitted"), x.job_id);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const job_submitted& a, const job_submitted& b) {
  return a.job_id == b.job_id;
}

inline bool operator!=(const job_submitted& a, const job_submitted& b) {
  return !(a == b);
}

/// Reply: the job's `job_status_report` after the cancellation was started.
struct cancel_job {
  std::string leader_session;
  std::string job_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_job& x) {
  return f(caf::meta::type_name("fjord.cancel_job"), x.leader_session, x.job_id);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const cancel_job& a, const cancel_job& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id;
}

inline bool operator!=(const cancel_job& a, const cancel_job& b) {
  return !(a == b);
}

/// Reply: `job_status_report`, or an error naming the unknown job.
struct request_job_status {
  std::string leader_session;
  std::string job_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_job_status& x) {
  return f(caf::meta::type_name("fjord.request_job_status"), x.leader_session, x.job_id);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const request_job_status& a, const request_job_status& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id;
}

inline bool operator!=(const request_job_status& a, const request_job_status& b) {
  return !(a == b);
}

/// Reply: `job_list`.
struct list_jobs {
  std::string leader_session;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_jobs& x) {
  return f(caf::meta::type_name("fjord.list_jobs"), x.leader_session);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const list_jobs& a, const list_jobs& b) {
  return a.leader_session == b.leader_session;
}

inline bool operator!=(const list_jobs& a, const list_jobs& b) {
  return !(a == b);
}

struct job_status_report;

/// Kills one running task of the job (chosen with `seed`) as if it crashed.
/// Reply: the name of the killed task ("vertex#subtask"), or an error if none runs.
struct inject_task_failure {
  std::string leader_session;
  std::string job_id;
  std::uint64_t seed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inject_task_failure& x) {
  return f(caf::meta::type_name("fjord.inject_task_failure"), x.leader_session, x.job_id,
           x.seed);
}

/// Field by field, from the struct (not from inspect), so that the middleman round-trip test
/// notices a field that inspect leaves out.
inline bool operator==(const inject_task_failure& a, const inject_task_failure& b) {
  return a.leader_session == b.leader_session
         && a.job_id == b.job_id
         && a.seed == b.seed;
}

inline bool operator!=(const inject_task_failure& a, const inject_task_failure& b) {
  return !(a == b);
}

}  // namespace fjord
