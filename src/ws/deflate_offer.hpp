// permessage-deflate negotiation (RFC 7692 §5, §7.1): the parameters of an
// offer or a response, the server's choice of a response, and the client's
// offer and its check of the server's response.
//
//   server_no_context_takeover   the server resets its compressor per message
//   client_no_context_takeover   the client resets its compressor per message
//   server_max_window_bits=N     the server's compressor uses at most 2^N bytes
//   client_max_window_bits[=N]   the client's compressor ... (no value in an
//                                offer: "I can limit mine if you tell me")
//
// A parameter given twice, a bad value (not 8-15, leading zeros, a value on
// a flag, no value on server_max_window_bits, or on client_max_window_bits
// in a response) or an unknown parameter makes the whole offer illegal: the
// server skips it and tries the next one; a client fails the handshake.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "lwspp/result.hpp"
#include "ws/deflate.hpp"
#include "ws/extensions.hpp"
#include "ws/frame.hpp"

namespace lwspp::ws {

inline constexpr std::string_view deflate_extension_name = "permessage-deflate";

struct deflate_params {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 0;           // 0: absent; else 8-15
  bool has_client_max_window_bits = false;  // present, with or without a value
  int client_max_window_bits = 0;           // its value; 0: given without one
};

// The parameters of one permessage-deflate element, or nullopt when they
// are illegal. `response` applies the rule that client_max_window_bits needs
// a value there.
std::optional<deflate_params> parse_deflate_params(const extension& e, bool response);

// What both ends use once the handshake is done.
struct deflate_agreement {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;
  int client_max_window_bits = 15;
};

// --- server -----------------------------------------------------------------

// Defaults: full windows, context kept — best compression; the memory is
// stated in ws/deflate.hpp. Smaller windows and no context takeover trade
// ratio for memory (and let pub/sub compress a message once for everyone).
struct deflate_server_settings {
  int server_max_window_bits = 15;          // 9-15 (8 is answered as 8 and compressed
                                            // with zlib's 9, see ws/deflate.hpp)
  int client_max_window_bits = 15;          // 8-15: our inflate window. Under 15, an
                                            // offer that cannot be limited is declined
  bool server_no_context_takeover = false;  // also taken whenever the client asks
  bool client_no_context_takeover = false;  // ask the client to reset per message
};

// Picks the first acceptable permessage-deflate offer of a request's
// Sec-WebSocket-Extensions value (several fields joined with ", "). nullopt:
// answer without the extension (none offered, none acceptable, or a header
// that breaks the grammar).
std::optional<deflate_agreement> negotiate_deflate(std::string_view offers,
                                                   const deflate_server_settings& s);

// The server's response element for an agreement: "permessage-deflate; ...".
std::string format_deflate_response(const deflate_agreement& a);

// --- client -----------------------------------------------------------------

struct deflate_client_settings {
  int client_max_window_bits = 15;  // our compressor's window; offered with a value under 15
  int server_max_window_bits = 15;  // offered under 15: limits the server (our inflate memory)
  bool client_no_context_takeover = false;  // we reset our compressor per message
  bool server_no_context_takeover = false;  // ask the server to reset per message
};

// The offer to send: "permessage-deflate; client_max_window_bits[=N]; ...".
std::string format_deflate_offer(const deflate_client_settings& s);

// Checks the server's Sec-WebSocket-Extensions answer to our offer. An
// error (lwspp::error::protocol_error with the reason) means the client
// must fail the connection.
result<deflate_agreement> accept_deflate_response(std::string_view response,
                                                  const deflate_client_settings& s);

// --- using an agreement -------------------------------------------------------

// The compressor and decompressor settings of one end.
deflater_settings deflater_for(const deflate_agreement& a, endpoint side);
inflater_settings inflater_for(const deflate_agreement& a, endpoint side);

}  // namespace lwspp::ws
