// What an origin pool holds, whatever the wire version: a client
// connection that takes requests (client_exchange) and reports back to its
// pool when it opens, has room again, or closes. The HTTP/1.1 session
// (h1/client_session.hpp) carries one request at a time (or a pipeline);
// the HTTP/2 one (h2/client_session.hpp) many at once, as streams.
// Loop thread only.
#pragma once
#include <cstdint>
#include <memory>

#include "http/client_exchange.hpp"
#include "lwspp/connection.hpp"

namespace lwspp::http::detail {

class pooled_session;

// Whom a pooled session reports to: its origin pool (http/origin_pool.hpp),
// or a WebSocket client carrying its socket over an HTTP/2 stream of a
// connection of its own (ws/h2_tunnel.hpp).
class session_owner {
 public:
  virtual ~session_owner() = default;
  // The client's options (timeouts, response limits, idle_timeout).
  virtual const client_options& opts() const noexcept = 0;
  // TLS (":scheme" https) or cleartext.
  virtual bool secure() const noexcept = 0;
  // The session's connection opened, has room for more (a stream ended, the
  // peer's SETTINGS arrived, a GOAWAY came), closed.
  virtual void session_open(pooled_session& s) = 0;
  virtual void session_idle(pooled_session& s) = 0;
  virtual void session_closed(pooled_session& s, const close_reason& why, bool was_open) = 0;
};

class pooled_session : public client_transport {
 public:
  explicit pooled_session(std::uint64_t serial) : serial_(serial) {}

  // Whether start() may be called now (open, not draining, room for x).
  virtual bool can_take(const client_exchange& x) const noexcept = 0;
  // Open and carrying no request: the pool may keep it as idle.
  virtual bool idle() const noexcept = 0;
  // Several requests at once (HTTP/2): the pool offers it every request
  // while can_take() says yes, instead of opening more connections.
  virtual bool multiplexed() const noexcept = 0;
  // Open and willing to take more requests once it has room (not closing,
  // not draining after a GOAWAY, stream ids left).
  virtual bool accepting() const noexcept = 0;
  // Writes x's request and reads its response.
  virtual void start(std::shared_ptr<client_exchange> x) = 0;
  // The pool keeps this session idle: arm the idle timeout.
  virtual void rest() = 0;
  // Closes the connection (the pool is shrinking or the client is going away).
  virtual void close_connection(close_reason why) = 0;

  std::uint64_t serial() const noexcept { return serial_; }
  // Requests started on it so far (0: a new connection for the next one).
  std::uint64_t served() const noexcept { return served_; }
  // When the connection was asked for, and when it opened (for timings).
  clock_type::time_point created_at() const noexcept { return created_at_; }
  clock_type::time_point opened_at() const noexcept { return opened_at_; }
  // A session taking over another's connection (ALPN chose h2) keeps its start.
  void adopt_created_at(clock_type::time_point t) noexcept { created_at_ = t; }

 protected:
  std::uint64_t serial_;
  std::uint64_t served_ = 0;
  clock_type::time_point created_at_ = clock_type::now();
  clock_type::time_point opened_at_{};
};

}  // namespace lwspp::http::detail
