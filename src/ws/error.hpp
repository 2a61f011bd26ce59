// Errors of the WebSocket codec (category "lwspp.ws"). Each one is a reason
// to fail the connection: it maps to the close code to send and a fixed
// reason text for the close frame.
#pragma once
#include <cstdint>
#include <string_view>
#include <system_error>

namespace lwspp::ws {

enum class error {
  // 0 is "no error" for std::error_code.
  reserved_bits = 1,        // RSV2/RSV3 set, or RSV1 where no extension allows it          1002
  reserved_opcode,          // opcode 3-7 or 11-15                                          1002
  unmasked_frame,           // (server) a client frame without the mask bit                1002
  masked_frame,             // (client) a server frame with the mask bit                   1002
  bad_length,               // 64-bit length with the top bit set, or a length not in its  1002
                            // shortest encoding (126 for < 126, 127 for < 65536)
  control_too_long,         // a ping, pong or close frame with more than 125 bytes        1002
  fragmented_control,       // a control frame without FIN                                 1002
  unexpected_continuation,  // a continuation frame with no message started               1002
  expected_continuation,    // a text or binary frame while a message is unfinished       1002
  bad_close_payload,        // a close frame with a 1-byte payload                         1002
  bad_close_code,           // a close code that may not be sent (0-999, 1004-1006,        1002
                            // 1015, 1016-2999, 5000 and above)
  invalid_utf8,             // a text message or close reason that is not UTF-8           1007
  bad_compressed_data,      // a compressed message that does not inflate                 1007
  message_too_big,          // a message (after decompression) over max_message_size       1009
};

const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// The close code to send when failing the connection for `e` (1002, 1007, 1009).
std::uint16_t close_code_for(error e) noexcept;
// A short fixed reason for the close frame ("invalid UTF-8", ...).
std::string_view reason_for(error e) noexcept;

}  // namespace lwspp::ws

template <>
struct std::is_error_code_enum<lwspp::ws::error> : std::true_type {};
