// The transport-independent part of serving a request: once a transport has
// the head (request filled, path normalised), begin() routes it, checks
// auth, and either answers at once (errors, redirects, static files) or
// hands it to the route's handler; the transport then feeds the body as
// begin() asked.
#pragma once
#include <cstdint>
#include <string_view>

#include "http/exchange.hpp"

namespace lwspp::http::detail {

enum class body_plan : std::uint8_t {
  whole,    // buffer up to max_body, then call the handler
  stream,   // hand each piece to the handler's on_body
  discard,  // already answered: read and drop (up to max_body) or close
  upgrade,  // an accepted WebSocket upgrade (exchange::upgrade): the transport
            // sends the 101 and hands the connection over (http/ws_upgrade.hpp)
};

struct begin_result {
  body_plan plan = body_plan::discard;
  std::uint64_t max_body = 0;
};

begin_result begin(exchange& ex);
void body_piece(exchange& ex, std::string_view data);
void body_end(exchange& ex, body_plan plan);

// The vhost's error page for status, or a one-line text body.
void send_error(exchange& ex, int status);

}  // namespace lwspp::http::detail
