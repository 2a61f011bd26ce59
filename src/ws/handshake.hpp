// The server side of the WebSocket opening handshake (RFC 6455 §4.2):
// checking an upgrade request, Sec-WebSocket-Accept, the subprotocol choice
// and the permessage-deflate answer. Sans-I/O: the caller gathers the
// request's fields (several fields of one name joined with ", ") and writes
// the answer.
//
//   upgrade_request r{...};                // from the HTTP request
//   handshake_result h = check_upgrade(r, settings);
//   if (h.status != 101) → answer h.status (426 also names the version we speak)
//   else append_accept_fields(fields, h, settings) after "HTTP/1.1 101 ..."
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ws/deflate_offer.hpp"

namespace lwspp::ws {

// What a handshake agreed on for one connection (either end).
struct agreement {
  int protocol = -1;  // index into options::protocols (a client's: the ones it offered)
  std::optional<deflate_agreement> deflate;
};

// RFC 6455 §1.3: appended to the key before hashing.
inline constexpr std::string_view handshake_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)), 28 characters.
std::string accept_key(std::string_view key);

// A key is the base64 of 16 bytes: 24 characters, the last two "==".
bool valid_key(std::string_view key) noexcept;

// Whether a comma-separated field value lists `token` (case-insensitive,
// whitespace around elements ignored): Connection lists "upgrade", Upgrade
// lists "websocket".
bool lists_token(std::string_view value, std::string_view token) noexcept;

// What the handshake looks at in the request.
struct upgrade_request {
  bool get = true;                   // the method is GET
  bool http11 = true;                // HTTP/1.1 (HTTP/1.0 cannot upgrade)
  std::string_view upgrade = {};     // Upgrade
  std::string_view connection = {};  // Connection
  std::string_view key = {};         // Sec-WebSocket-Key
  int key_fields = 0;                // how many Sec-WebSocket-Key fields came
  std::string_view version = {};     // Sec-WebSocket-Version
  std::string_view protocols = {};   // Sec-WebSocket-Protocol
  std::string_view extensions = {};  // Sec-WebSocket-Extensions
  std::string_view origin = {};      // Origin
  bool has_origin = false;
  // RFC 8441: an HTTP/2 extended CONNECT with :protocol websocket. It has no
  // Upgrade, Connection or key (nor a GET or HTTP/1.1); the answer is a 200
  // without Sec-WebSocket-Accept.
  bool extended_connect = false;
};

struct handshake_settings {
  std::span<const std::string> protocols = {};          // ours; chosen in the client's order
  std::span<const std::string> origins = {};            // Origin values allowed; empty: any
  std::optional<deflate_server_settings> deflate = {};  // nullopt: permessage-deflate is off
};

struct handshake_result {
  int status = 101;               // 101: accepted; else 400, 403 or 426
  std::string_view problem = {};  // why not: a fixed text for the log and the body
  std::string accept = {};        // Sec-WebSocket-Accept
  int protocol = -1;              // index into handshake_settings::protocols; -1: none
  std::optional<deflate_agreement> deflate = {};
  bool extended_connect = false;  // RFC 8441: no Upgrade, Connection or accept fields
};

// Checks an upgrade request and, when it is acceptable, works out the answer:
//   400  not GET, not HTTP/1.1, Connection without "upgrade", a missing,
//        repeated or malformed Sec-WebSocket-Key
//   426  Upgrade without "websocket", or a Sec-WebSocket-Version other than
//        13 (answer with "Sec-WebSocket-Version: 13")
//   403  an Origin that is not allowed (a request without Origin, which no
//        browser sends, passes: origin checks protect browsers' users)
// A subprotocol is chosen when the client offers one of ours (the client's
// first such); none offered or none in common: no protocol (the client
// decides whether to go on). permessage-deflate is agreed per
// negotiate_deflate.
handshake_result check_upgrade(const upgrade_request& r, const handshake_settings& s);

// Appends the 101's handshake fields ("name: value\r\n" each): Upgrade,
// Connection, Sec-WebSocket-Accept, and Sec-WebSocket-Protocol and
// Sec-WebSocket-Extensions when agreed.
void append_accept_fields(std::string& out, const handshake_result& h,
                          std::span<const std::string> protocols);

}  // namespace lwspp::ws
