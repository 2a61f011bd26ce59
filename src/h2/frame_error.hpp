// HTTP/2 error codes (RFC 9113 §7) and the errors the frame reader reports.
//
// lwspp::h2::error holds the wire values, so a code read from RST_STREAM or
// GOAWAY converts with a cast and one we send is written as is. It is also a
// std::error_code category ("lwspp.h2") whose messages are the RFC's names,
// so an h2 failure becomes an lwspp::error_info (and a close_reason) like
// every other error of the library.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include <lwspp/error.hpp>

namespace lwspp::h2 {

enum class error : std::uint32_t {
  no_error = 0x0,             // graceful shutdown; 0 is also "no error" for std::error_code
  protocol_error = 0x1,       // a rule of the protocol was broken
  internal_error = 0x2,       // the endpoint failed on its own
  flow_control_error = 0x3,   // a flow-control window was overrun (or overflowed)
  settings_timeout = 0x4,     // SETTINGS were not acknowledged in time
  stream_closed = 0x5,        // a frame arrived for a half-closed stream
  frame_size_error = 0x6,     // a frame of the wrong size
  refused_stream = 0x7,       // the stream was refused before any processing
  cancel = 0x8,               // the stream is no longer needed
  compression_error = 0x9,    // the HPACK context cannot be kept
  connect_error = 0xa,        // the CONNECT tunnel was reset or closed abnormally
  enhance_your_calm = 0xb,    // the peer generates excessive load
  inadequate_security = 0xc,  // TLS does not meet the requirements
  http_1_1_required = 0xd,    // use HTTP/1.1 for this request
};
inline constexpr std::uint32_t last_known_error = 0xd;

// "PROTOCOL_ERROR", ...; "UNKNOWN_ERROR" for codes RFC 9113 does not define
// (a peer may send them: they are not an error in themselves, §7).
std::string_view wire_name(error e) noexcept;
inline std::string_view wire_name(std::uint32_t code) noexcept {
  return wire_name(static_cast<error>(code));
}

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace lwspp::h2

template <>
struct std::is_error_code_enum<lwspp::h2::error> : std::true_type {};

namespace lwspp::h2 {

// Whether an error ends the whole connection (GOAWAY with the code, then
// close) or only one stream (RST_STREAM with the code; the connection goes
// on). RFC 9113 §5.4.
enum class error_scope : std::uint8_t { connection, stream };

// What the frame reader found wrong. `reason` is fixed text (no allocation);
// `offset` is the connection offset of the first byte of the frame at fault
// (of the preface, for a bad preface).
struct frame_error {
  error code = error::no_error;
  error_scope scope = error_scope::connection;
  std::uint32_t stream_id = 0;  // the frame's stream (0 for the connection)
  const char* reason = "";
  std::uint64_t offset = 0;

  bool connection() const noexcept { return scope == error_scope::connection; }
  // The project's error value: the code in category "lwspp.h2", and a detail
  // such as "connection error at byte 9 (stream 1): PING with stream id".
  error_info info() const;
};

}  // namespace lwspp::h2
