// Errors of the core and net layers, and why a connection closed.
//
// Every failure the library reports is a std::error_code: either one of the
// values below (category "lwspp") or an errno value (std::system_category)
// when the kernel said no. A close_reason adds the human detail: the name that
// did not resolve, the address that refused, the limit that was hit.
#pragma once

#include <string>
#include <system_error>
#include <utility>

namespace lwspp {

enum class error {
  // 0 is "no error" for std::error_code.
  closed_locally = 1,    // the application called close(); the write queue was flushed
  aborted,               // the application called abort(); queued bytes were dropped
  peer_closed,           // the peer closed its side cleanly (EOF)
  peer_reset,            // the peer reset the connection (ECONNRESET / EPIPE)
  dns_failed,            // name resolution failed; detail holds the resolver's text
  connection_refused,    // every address failed, at least one refused the connection
  unreachable,           // no route / network unreachable for every address
  connect_timeout,       // connect (all addresses together) took longer than allowed
  idle_timeout,          // nothing was read or written for the idle timeout
  write_buffer_full,     // the write queue passed its hard limit and the policy closes
  server_stopping,       // the context stopped before this connection finished (drain
                         // deadline passed, stop_now(), or still connecting at stop)
  invalid_address,       // an address string could not be parsed
  io_error,              // an operation on an object that is already closed (other I/O
                         // failures are reported as the errno, in system_category)
  too_many_connections,  // a connection limit was reached (for roles that can say so)
  protocol_error,        // a role-level protocol violation (code in protocol_code); for roles
  invalid_argument,      // a call that cannot work as made (bad fd, add_vhost after run())
  flush_timeout,         // close() could not flush the write queue within close_timeout:
                         // the rest was dropped and the connection reset
  out_of_memory,         // an allocation failed (std::bad_alloc) while the loop served this
                         // connection: it was reset; the loop and other connections go on
  handler_threw,         // a handler let an exception escape (its what() is the detail):
                         // the connection was reset; the loop and other connections go on
};

}  // namespace lwspp

// Lets lwspp::error compare with std::error_code (must precede any use).
template <>
struct std::is_error_code_enum<lwspp::error> : std::true_type {};

namespace lwspp {

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// An error with the detail a person needs to act on it: the host that did
// not resolve, the address that refused, the limit that was hit.
struct error_info {
  std::error_code code;  // lwspp::error or an errno (system_category)
  std::string detail;

  error_info() = default;
  error_info(std::error_code c, std::string d = {}) : code(c), detail(std::move(d)) {}
  error_info(error e, std::string d = {}) : code(make_error_code(e)), detail(std::move(d)) {}

  bool is(error e) const noexcept { return code == make_error_code(e); }
  // "connection refused: 127.0.0.1:1" — the code's message, then the detail.
  std::string message() const;
};

// Why a connection ended. Delivered exactly once, to on_close.
struct close_reason : error_info {
  int protocol_code = 0;  // role-specific wire code (WebSocket close code, ...) or 0

  close_reason() = default;
  close_reason(std::error_code c, std::string d = {}, int pc = 0)
      : error_info(c, std::move(d)), protocol_code(pc) {}
  close_reason(error e, std::string d = {}, int pc = 0)
      : error_info(e, std::move(d)), protocol_code(pc) {}
  close_reason(error_info e) : error_info(std::move(e)) {}  // NOLINT: widening is lossless

  // True for an orderly end chosen by one side: local close, peer EOF.
  bool clean() const noexcept { return is(error::closed_locally) || is(error::peer_closed); }
};

}  // namespace lwspp
