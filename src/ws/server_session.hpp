// The WebSocket server role: the session core (ws/session.hpp) as the
// server end, made when an HTTP/1.1 upgrade was accepted. What is the
// server's own: the route's configuration, the upgrade request that
// handlers::open may look at, and resting.
//
// Resting: an open WebSocket with nothing in flight (between messages, no
// queued bytes, no permessage-deflate state, not closing, paused, streaming
// or subscribed) needs nothing but its agreed subprotocol. Its connection's
// role is then the route's shared resting_role for that subprotocol, and the
// session object goes back to a per-thread pool; the next event on the
// connection (bytes, the ping timer, a send through a handle, the close)
// takes a session from the pool again. An idle WebSocket then costs only its
// connection (192 bytes): the ping interval is the connection's role timer.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/session.hpp"

namespace lwspp::ws::detail {

struct route_config;

// The role of a resting WebSocket of one route and subprotocol.
class resting_role final : public role {
 public:
  resting_role(route_config& cfg, std::int8_t protocol) : cfg_(cfg), protocol_(protocol) {}
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_peer_eof(connection& c) override;
  void on_role_timer(connection& c) override;

  // Wakes c: a session from the pool becomes its role.
  class server_session& wake(connection& c);

 private:
  route_config& cfg_;
  std::int8_t protocol_;
};

// A WebSocket route: its handlers and options, shared by every session of
// the route on every loop (the http::server that holds it outlives them).
struct route_config : endpoint_config {
  std::optional<deflate_server_settings> deflate;  // nullopt: permessage-deflate is off
  std::string fixed_fields;                        // options::response_headers, "name: value\r\n"
  // One resting role per subprotocol index + 1 (index 0: none agreed), made
  // when the route is added (prepare_resting), read-only afterwards.
  std::vector<std::unique_ptr<resting_role>> resting;
  void prepare_resting();
};

class server_session final : public session {
 public:
  // An open session for connection c of route cfg, from this thread's pool
  // (or new), with `protocol` agreed and nothing else (begin() adds the rest).
  static server_session& take(route_config& cfg, connection& c, std::int8_t protocol = -1);

  // The 101 has been queued and this (taken) session is the connection's
  // role: runs handlers::open (with the upgrade request) and feeds the bytes
  // that came after the request head.
  void start(const agreement& a, const http::request& req, std::string_view rest);

  // The upgrade request during handlers::open, else nullptr.
  static const http::request* current_request() noexcept;

  // Rests the connection if nothing is in flight (see above).
  void rest_if_idle();
  // A woken session that a handle's operation used: rest once this loop
  // iteration is over, if still idle.
  void rest_later();

  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_role_timer(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;

  // Per thread: sessions made and sessions waiting in the pool (tests).
  struct pool_stats {
    std::size_t made = 0;
    std::size_t pooled = 0;
  };
  static pool_stats stats() noexcept;

 private:
  friend class resting_role;
  server_session(route_config& cfg, connection& c) : session(cfg, c, endpoint::server) {}
  route_config& route() const noexcept { return static_cast<route_config&>(*cfg_); }
  void release() noexcept;
};

}  // namespace lwspp::ws::detail
