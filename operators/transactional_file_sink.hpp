// Sink "transactional_file": exactly-once file output by two-phase commit on checkpoints.
// Records go to an in-progress file; at a checkpoint barrier it is made durable and renamed to a
// staged file; when the checkpoint completes, staged files are renamed to their committed names.
// Only committed files count as output: the regular files of output_dir whose names do not start
// with '.', one record per line. The file names are public here so that checkers and tests agree
// with the sink on them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fjord {

/// The file names one subtask of the sink uses (J = first 8 characters of the job id):
///   .inprogress-J-s-<attempt>-<instance token>, .staged-J-s-<checkpoint>,
///   part-J-s-<checkpoint, 19 digits>. Checkpoint ids come from the job's durable counter, so
///   staged names are unique across attempts and leaders too; a staged name is never replaced.
class transactional_file_names {
 public:
  transactional_file_names(const std::string& job_id, std::int32_t subtask);

  /// `instance`: a token of the sink instance, fresh for every file it opens.
  std::string in_progress(std::int32_t attempt, const std::string& instance) const;
  std::string staged(std::int64_t checkpoint_id) const;
  std::string committed(std::int64_t checkpoint_id) const;

  /// Every in-progress file of this subtask starts with this (any attempt).
  std::string in_progress_prefix() const;
  /// Every staged file of this subtask starts with this, followed by the checkpoint id.
  std::string staged_prefix() const;

 private:
  std::string job_;
  std::string subtask_;
};

/// The committed output files in `dir` (regular files whose names do not start with '.'),
/// sorted by name. Throws std::filesystem::filesystem_error if `dir` cannot be listed.
std::vector<std::filesystem::path> committed_output_files(const std::filesystem::path& dir);

}  // namespace fjord
