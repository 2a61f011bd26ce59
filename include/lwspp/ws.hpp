// WebSocket (RFC 6455) types an application sees: what kind a message is,
// and the close codes. The codec itself is internal (src/ws/); the server
// and client roles built on it will add their handlers and settings here.
#pragma once
#include <cstdint>

namespace lwspp::ws {

// A data message is text (valid UTF-8, checked on receipt) or binary.
enum class message_kind : std::uint8_t { text, binary };

// Close status codes (RFC 6455 §7.4.1, IANA registry). Any value in
// 3000-4999 is also valid on the wire (3000-3999 registered by libraries and
// frameworks, 4000-4999 private use).
enum class close_code : std::uint16_t {
  normal = 1000,            // the purpose of the connection is fulfilled
  going_away = 1001,        // server shutting down, or a browser leaving the page
  protocol_error = 1002,    // a framing rule was broken
  unsupported_data = 1003,  // a kind of message this endpoint cannot accept
  no_status = 1005,         // never sent: reported when a close frame had no code
  abnormal = 1006,          // never sent: reported when the connection ended without a close frame
  invalid_payload = 1007,   // text that is not UTF-8, or undecodable compressed data
  policy_violation = 1008,  // a generic refusal
  message_too_big = 1009,   // a message over the receiver's limit
  mandatory_extension = 1010,  // (client) the server did not agree to a required extension
  internal_error = 1011,       // the server hit an unexpected condition
  service_restart = 1012,      // the server is restarting
  try_again_later = 1013,      // temporary overload
  bad_gateway = 1014,          // a gateway got an invalid response upstream
  tls_handshake = 1015,        // never sent: the TLS handshake failed
};

}  // namespace lwspp::ws
