// WebSocket routes of http::server: the handshake as the HTTP layer sees it,
// and the hand-over of an upgraded connection to the WebSocket role.
//
//   begin() → begin_ws(): checks the handshake and the route's upgrade
//     handler; refused → answered here (400/403/426); accepted → the
//     exchange holds the agreement and the plan is body_plan::upgrade.
//   the transport (h1) → append_ws_fields() into its 101 head, sends it,
//     then hand_over(): the connection's role becomes the WebSocket session,
//     handlers::open runs, and the bytes that followed the request head are
//     fed to it.
#pragma once
#include <string>
#include <string_view>

#include "http/dispatch.hpp"
#include "http/exchange.hpp"

namespace lwspp::ws::detail {
struct route_config;
}

namespace lwspp::http::detail {

// Whether a request asks for a WebSocket (its Upgrade lists "websocket").
bool asks_for_websocket(const request& req) noexcept;

begin_result begin_ws(exchange& ex, ws::detail::route_config& cfg);

// 426 for a plain request to a WebSocket-only path.
void send_upgrade_required(exchange& ex);

// The 101's WebSocket fields for the accepted upgrade ("name: value\r\n" each).
void append_ws_fields(exchange& ex, std::string& fields);

// After the 101 was queued: the connection becomes a WebSocket.
void hand_over(exchange& ex, std::string_view rest);
// The same onto another connection: HTTP/2 (RFC 8441) runs the WebSocket on
// a connection of its own that the stream carries (h2/ws_tunnel.hpp).
void hand_over(exchange& ex, connection& c, std::string_view rest);

}  // namespace lwspp::http::detail
