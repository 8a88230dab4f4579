// Fjord's error codes: one enum, registered as the CAF error category "fjord" (by
// fjord::add_message_types), so that errors cross the middleman as (category, code, context)
// and callers match codes, never message text:
//
//   auto status = client.status(id);
//   if (!status && status.error() == fjord::errc::unknown_job) ...
//   if (!status) std::cerr << fjord::describe(status.error()) << "\n";  // the one line
//
// The context is one std::string: the line a user reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace fjord {

enum class errc : std::uint8_t {
  // 0 means "no error" to CAF.
  not_leader = 1,     ///< this JobManager is not the leader (a standby, or leadership lost)
  fenced,             ///< the request names another leader session than the current one
  unknown_job,        ///< no such job, running or ended
  already_exists,     ///< a job with this id exists already
  invalid_job,        ///< the job graph cannot run (no vertices, ...)
  no_slots,           ///< not enough free slots for the job
  no_running_task,    ///< a task failure was injected into a job that runs no task
  store_unavailable,  ///< the coordination service is unreachable or its session suspended
  conflict,           ///< a store entry changed concurrently or is owned by someone else
  corrupt,            ///< stored bytes cannot be read (checksum, truncation, ...)
  not_found,          ///< a store entry does not exist
  io_error,           ///< the file system failed
  invalid_state,      ///< a store used before start() or after shutdown
  invalid_argument,   ///< a request with arguments a store refuses
  store_failed,       ///< any other failure inside a store call
  deploy_failed,      ///< a task could not be deployed on a TaskManager
  plugin_failed,      ///< a job's operator plugin could not be fetched, verified or loaded
  no_route,           ///< no direct connection to a peer TaskManager's data endpoint
};

/// The one line a user reads for an error returned by Fjord (or any CAF error): its context
/// line if it has one, else the name of its code.
std::string describe(const caf::error& e);

/// The category atom of fjord::errc (at most 10 characters).
constexpr caf::atom_value errc_category = caf::atom("fjord");

/// "not_leader", "unknown_job", ...
const char* to_string(errc code);

inline caf::error make_error(errc code) {
  return caf::error{static_cast<std::uint8_t>(code), errc_category};
}

/// `context` is the one line a user reads.
inline caf::error make_error(errc code, std::string context) {
  return caf::error{static_cast<std::uint8_t>(code), errc_category,
                    caf::make_message(std::move(context))};
}

/// The fjord::errc of `e`, or nothing if `e` is no Fjord error (a CAF system error, ...).
inline std::optional<errc> errc_of(const caf::error& e) {
  if (!e || e.category() != errc_category)
    return std::nullopt;
  return static_cast<errc>(e.code());
}

/// True for errors of a store call whose effect is unknown or that may pass (a failed write
/// may still have happened; an unreachable store may come back).
inline bool is_store_failure(errc code) {
  switch (code) {
    case errc::store_unavailable:
    case errc::conflict:
    case errc::corrupt:
    case errc::not_found:
    case errc::io_error:
    case errc::invalid_state:
    case errc::invalid_argument:
    case errc::store_failed:
      return true;
    default:
      return false;
  }
}

}  // namespace fjord
