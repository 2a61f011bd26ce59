// The WebSocket server role: the session core (ws/session.hpp) as the
// server end, made when an HTTP/1.1 upgrade was accepted. What is the
// server's own: the route's configuration, and the upgrade request that
// handlers::open may look at.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "ws/session.hpp"

namespace lwspp::ws::detail {

// A WebSocket route: its handlers and options, shared by every session of
// the route on every loop (the http::server that holds it outlives them).
struct route_config : endpoint_config {
  std::optional<deflate_server_settings> deflate;  // nullopt: permessage-deflate is off
  std::string fixed_fields;                        // options::response_headers, "name: value\r\n"
};

class server_session final : public session {
 public:
  server_session(route_config& cfg, connection& c) : session(cfg, c, endpoint::server) {}

  // The 101 has been queued and this session is the connection's role: runs
  // handlers::open (with the upgrade request) and feeds the bytes that came
  // after the request head.
  void start(const agreement& a, const http::request& req, std::string_view rest);

  // The upgrade request during handlers::open, else nullptr.
  static const http::request* current_request() noexcept;
};

}  // namespace lwspp::ws::detail
