// The error of a bad job spec or bad operator parameters. what() is one line that names the
// field: "vertices[2].parallelism: must be >= 1, got 0".
#pragma once

#include <stdexcept>
#include <string>

namespace fjord {

class spec_error : public std::runtime_error {
 public:
  spec_error(std::string field, const std::string& problem)
    : std::runtime_error(field.empty() ? problem : field + ": " + problem),
      field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

}  // namespace fjord
