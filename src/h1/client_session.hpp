// The HTTP/1.1 client role: one per client connection. It writes requests
// (head, then a whole or streamed body: Content-Length or chunked), reads
// responses with h1::response_parser, and reports to each request's
// exchange (http/client_exchange.hpp). Its pool (http/origin_pool.hpp)
// gives it requests and takes it back when it is idle.
//
// Pipelining: with pipeline_depth > 1 the pool may start further
// idempotent requests before the first response has ended; responses are
// matched in order. A connection that cannot be reused (Connection: close,
// a close-delimited body, a request abandoned half-way) is closed when its
// last response ends; requests sent after such a response fail as
// "never answered" and may be sent again by their owner.
//
// Deadlines are the connection's one role timer: idle in the pool
// (idle_timeout), waiting for the first byte of a response
// (first_byte_timeout, from the end of the request), between reads of a
// response (read_timeout).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "h1/response_parser.hpp"
#include "http/pooled_session.hpp"
#include "lwspp/connection.hpp"

namespace lwspp::http::detail {
class origin_pool;
}

namespace lwspp::h1 {

class client_session final : public role, public http::detail::pooled_session {
 public:
  client_session(std::shared_ptr<http::detail::origin_pool> pool, std::uint64_t serial);
  ~client_session() override;

  // pooled_session
  bool can_take(const http::detail::client_exchange& x) const noexcept override;
  bool idle() const noexcept override { return inflight_.empty() && open_; }
  bool multiplexed() const noexcept override { return false; }
  bool accepting() const noexcept override { return open_ && reusable_; }
  void start(std::shared_ptr<http::detail::client_exchange> x) override;
  void rest() override;
  void close_connection(close_reason why) override;
  connection* conn() const noexcept { return conn_; }

  // role
  void on_open(connection& c) override;
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_peer_eof(connection& c) override;
  void on_shutdown(connection& c) override;
  void on_role_timer(connection& c) override;

  // client_transport
  void pause(http::detail::client_exchange& x, bool on) override;
  void abandon(http::detail::client_exchange& x) override;
  void body_ready(http::detail::client_exchange& x) override;

 private:
  class sink;
  using exchange_ptr = std::shared_ptr<http::detail::client_exchange>;

  void write_head(const http::detail::outgoing_request& r);
  void pump_body();  // pulls the streamed body of the request being written
  void request_written();
  void feed(std::string_view bytes);
  bool handle_step(const response_step& s);  // false: stop feeding
  void deliver_head();
  void response_ended();
  void fail_all(const close_reason& why);
  void fail_front(http::client_error e, std::string detail);
  void arm_read_deadline();

  std::shared_ptr<http::detail::origin_pool> pool_;
  connection* conn_ = nullptr;
  response_parser parser_;
  std::deque<exchange_ptr> inflight_;  // sent or being sent, oldest first
  exchange_ptr writing_;               // whose streamed body is being written
  std::string held_;                   // bytes read while delivery was paused
  std::string head_buf_;               // write_head()'s buffer, reused
  std::uint64_t body_written_ = 0;     // of the streamed body being written
  std::uint64_t received_ = 0;         // bytes of the front response so far
  bool open_ = false;
  bool reusable_ = true;         // false: close after the last response in flight
  bool paused_ = false;          // the front exchange asked to stop delivery
  bool feeding_ = false;         // inside feed(): re-entry holds bytes instead
  bool waiting_source_ = false;  // a deferred body source: until body_ready()
  bool eof_pending_ = false;     // the peer closed while bytes were held
};

}  // namespace lwspp::h1
