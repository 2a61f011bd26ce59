// No exception crosses the loop. Handlers (the application's and the
// library's own roles) may still throw: std::bad_alloc when memory runs
// out, or whatever a user handler lets escape. Where the loop calls into a
// connection, the connection catches and ends itself with a reason
// (error::out_of_memory, error::handler_threw) and a reset; the loop and
// the other connections go on. Callbacks that belong to no connection
// (posted and deferred tasks, other timers and fds) are caught by the loop
// and logged. Tested by tests/integration/fault_alloc_test.cpp, which makes
// each allocation of an exchange fail in turn.
#pragma once

#include "lwspp/error.hpp"
#include "lwspp/log.hpp"

namespace lwspp::detail {

// Why a connection ends for the exception being handled. Call only inside
// a catch block.
close_reason current_exception_reason() noexcept;

// Logs the exception being handled (at error level) with where it was
// caught. Call only inside a catch block.
void log_current_exception(const logger& log, const char* where) noexcept;

// Runs fn; an exception it throws is logged and dropped.
template <class F>
void run_guarded(const logger& log, const char* where, F&& fn) noexcept {
  try {
    fn();
  } catch (...) {
    log_current_exception(log, where);
  }
}

}  // namespace lwspp::detail
