// The demo's libwebsockets-compatible WebSocket subprotocols on "/", so that
// libwebsockets' own test client (libwebsockets-test-client, Debian package
// libwebsockets-test-server) can talk to lwspp-server:
//   dumb-increment-protocol  a text counter ("0", "1", ...) about every
//                            50 ms; a received "reset\n" sets it back to 0
//   lws-mirror-protocol      every message received goes to every mirror
//                            client of the vhost, its sender included
//                            (pub/sub)
// A plain GET of "/" still gets the page; an upgrade that offers neither
// protocol is closed with 1008.
#pragma once

#include "lwspp/http_server.hpp"
#include "lwspp/ws.hpp"

namespace lwspp_server {

void add_lws_test_protocols(lwspp::http::server& app, const lwspp::ws::deflate_options& deflate);

}  // namespace lwspp_server
