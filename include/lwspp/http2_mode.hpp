// Which HTTP version a client speaks: the HTTP client's requests
// (<lwspp/http_client.hpp>) and the WebSocket client's opening handshake
// (<lwspp/ws_client.hpp>, RFC 8441). Details: docs/http-client.md and
// docs/websocket.md, "HTTP/2".
#pragma once
#include <cstdint>

namespace lwspp::http {

enum class http2_mode : std::uint8_t {
  off,        // HTTP/1.1 only
  negotiate,  // https/wss: offer "h2" and "http/1.1" by ALPN, use what the server picks;
              // http/ws: HTTP/1.1
  // https/wss: as negotiate; http/ws: HTTP/2 from the first byte (h2c
  // "prior knowledge", RFC 9113 §3.3): only for servers known to speak it.
  prior_knowledge,
};

}  // namespace lwspp::http
