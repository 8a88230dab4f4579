// Reading and making the errors actors reply with: the one line a user sees (describe), the
// mapping of a store's exception onto fjord::errc, and the renderer of the "fjord" error
// category for caf::actor_system::render.
#pragma once

#include <exception>
#include <string>

#include <caf/fwd.hpp>

#include "fjord/errc.hpp"

namespace fjord {

/// The same code and category as `e`, with "`prefix``describe(e)`" as its line: adds where
/// an error happened without losing what it was.
caf::error with_context(const std::string& prefix, const caf::error& e);

/// A store call failed with `e`: a store_error keeps its kind (conflict, corrupt, ...), any
/// other exception becomes errc::store_failed. The line is "`what`: `e.what()`".
caf::error error_from_exception(const char* what, const std::exception& e);

/// Renders an error of the "fjord" category: "fjord.<code>: <line>".
std::string render_errc(std::uint8_t code, caf::atom_value category, const caf::message& context);

}  // namespace fjord
