#include "actors/errors.hpp"

#include <caf/error.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

#include "stores/store_error.hpp"

namespace fjord {

namespace {

errc errc_of_store(store_error::kind kind) {
  switch (kind) {
    case store_error::kind::not_found:
      return errc::not_found;
    case store_error::kind::conflict:
      return errc::conflict;
    case store_error::kind::corrupt:
      return errc::corrupt;
    case store_error::kind::unavailable:
      return errc::store_unavailable;
    case store_error::kind::invalid_state:
      return errc::invalid_state;
    case store_error::kind::io:
      return errc::io_error;
    case store_error::kind::invalid_argument:
      return errc::invalid_argument;
    case store_error::kind::fenced:
      return errc::fenced;
  }
  return errc::store_failed;
}

}  // namespace

std::string describe(const caf::error& e) {
  if (!e)
    return "no error";
  auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  if (e.category() == caf::atom("system"))
    return caf::to_string(static_cast<caf::sec>(e.code()));
  if (auto code = errc_of(e))
    return to_string(*code);
  return caf::to_string(e);
}

caf::error with_context(const std::string& prefix, const caf::error& e) {
  if (!e)
    return e;
  return caf::error{e.code(), e.category(), caf::make_message(prefix + describe(e))};
}

caf::error error_from_exception(const char* what, const std::exception& e) {
  auto code = errc::store_failed;
  if (auto* se = dynamic_cast<const store_error*>(&e))
    code = errc_of_store(se->which());
  return make_error(code, std::string{what} + ": " + e.what());
}

std::string render_errc(std::uint8_t code, caf::atom_value, const caf::message& context) {
  std::string result = "fjord.";
  result += to_string(static_cast<errc>(code));
  if (context.size() == 1 && context.match_element<std::string>(0)) {
    result += ": ";
    result += context.get_as<std::string>(0);
  } else if (!context.empty()) {
    result += ": ";
    result += caf::to_string(context);
  }
  return result;
}

}  // namespace fjord
