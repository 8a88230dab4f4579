// Identifiers: job ids (32 lowercase hex digits) and leader session ids (UUID v4 text).
#pragma once

#include <string>

namespace fjord {

std::string new_job_id();
std::string new_uuid();
/// True for 32 lowercase hex digits.
bool is_valid_job_id(const std::string& id);
/// The first 8 characters, for log lines ("job 9c1e2f3a").
std::string short_id(const std::string& id);

}  // namespace fjord
