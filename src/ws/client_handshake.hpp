// The client side of the WebSocket opening handshake (RFC 6455 §4.1):
// the upgrade request, and the check of the server's answer. Sans-I/O: the
// caller sends the request and gathers the response's fields (several
// fields of one name joined with ", ", as the server side does).
//
//   std::string key = make_client_key();
//   out = build_upgrade_request(request_settings, key);
//   ... parse the response head (h1/response_parser.hpp) ...
//   result<agreement> a = check_upgrade_response(fields, key, offer);
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lwspp/result.hpp"
#include "ws/handshake.hpp"

namespace lwspp::ws {

// Sec-WebSocket-Key: base64 of 16 bytes from the kernel's CSPRNG.
std::string make_client_key();

struct client_request {
  std::string_view authority;  // Host: host[:port] ("[::1]:8080")
  std::string_view resource;   // path and query ("/chat?room=1")
  std::string_view origin = {};
  std::span<const std::string> protocols = {};          // offered, in order
  std::optional<deflate_client_settings> deflate = {};  // offered when set
  std::span<const std::pair<std::string, std::string>> headers =
      {};  // checked: check_extra_headers
};

// The upgrade request, "GET ... HTTP/1.1\r\n" to the empty line.
std::string build_upgrade_request(const client_request& r, std::string_view key);

// Why extra request fields or offered subprotocols cannot be sent ("" if
// they can): a name that is not a token, a value with CR, LF or NUL (or
// another control), a field the handshake writes itself; a subprotocol
// that is not a token or given twice.
std::string check_client_fields(std::span<const std::pair<std::string, std::string>> headers,
                                std::span<const std::string> protocols, std::string_view origin);

// What the check looks at in the response.
struct upgrade_response {
  int status = 0;
  std::string_view upgrade = {};
  std::string_view connection = {};
  std::string_view accept = {};
  int accept_fields = 0;
  std::string_view protocol = {};
  int protocol_fields = 0;
  std::string_view extensions = {};
};

// Checks a 101 against what we sent: Upgrade lists websocket, Connection
// lists upgrade, exactly one Sec-WebSocket-Accept of our key, at most one
// subprotocol and one we offered, permessage-deflate only as we offered it
// and nothing else. The error (client_error::handshake_invalid) says which.
// A status other than 101 is the caller's to handle first.
result<agreement> check_upgrade_response(const upgrade_response& r, std::string_view key,
                                         std::span<const std::string> offered,
                                         const std::optional<deflate_client_settings>& deflate);

// The part of that check that HTTP/2 shares (RFC 8441 §5, a 2xx to an
// extended CONNECT): the subprotocol (fields of that name counted) and the
// extensions (every field's value joined with ", ").
result<agreement> check_agreement(std::string_view protocol, int protocol_fields,
                                  std::string_view extensions, std::span<const std::string> offered,
                                  const std::optional<deflate_client_settings>& deflate);

}  // namespace lwspp::ws
