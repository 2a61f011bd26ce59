// The demo site of "demo": true, built into the binary: no files to find.
//   GET /             an HTML page about lwspp
//   GET /hello        "Hello, world!" (text/plain)
//   GET /favicon.ico  204 (no icon; browsers stop asking for a day)
//   WebSocket /echo   every message back as it came
//   WebSocket /chat   a room: each text message goes to every member of the
//                     vhost's room ("name: text"; "?name=" names the member),
//                     by pub/sub
//   WebSocket /       libwebsockets' test protocols (demo_lws.hpp):
//                     dumb-increment-protocol, lws-mirror-protocol
#pragma once

#include <cstdint>
#include <string_view>

#include "lwspp/http_server.hpp"

namespace lwspp_server {

// The page served at "/".
std::string_view demo_page() noexcept;

// Adds the demo's routes to app; max_body is the vhost's route body limit,
// deflate whether its WebSockets offer permessage-deflate.
void add_demo_routes(lwspp::http::server& app, std::uint64_t max_body, bool deflate = true);

}  // namespace lwspp_server
