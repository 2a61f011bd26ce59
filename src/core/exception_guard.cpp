// See exception_guard.hpp.
#include "core/exception_guard.hpp"

#include <exception>
#include <new>

namespace lwspp::detail {

close_reason current_exception_reason() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return close_reason(error::out_of_memory);
  } catch (const std::exception& e) {
    try {
      return close_reason(error::handler_threw, e.what());
    } catch (...) {  // no memory for the text: the code alone
      return close_reason(error::handler_threw);
    }
  } catch (...) {
    return close_reason(error::handler_threw);
  }
}

void log_current_exception(const logger& log, const char* where) noexcept {
  try {
    const close_reason why = current_exception_reason();
    LWSPP_LOG(log, error, where, ": ", why.message(), "; the task was dropped");
  } catch (...) {  // no memory to log with: nothing more to do
  }
}

}  // namespace lwspp::detail
