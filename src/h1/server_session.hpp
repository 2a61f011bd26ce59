// The HTTP/1.1 server role: drives the request parser from connection
// bytes, hands each request to the HTTP layer (http/dispatch.hpp) and writes
// responses with HTTP/1.1 framing.
//
// Memory: between requests a connection holds no HTTP state at all. Its role
// is then the vhost's shared server_role; the first byte of a request takes
// a server_session from a per-thread pool, and the session goes back to the
// pool once the exchange is over and nothing is pending.
//
// One exchange at a time: pipelined requests are parsed only after the
// previous response has ended (their bytes wait in `pending_`, and reading
// pauses when that is full), so responses go out in request order.
#pragma once
#include <memory>
#include <string>

#include "h1/request_parser.hpp"
#include "h1/response_head.hpp"
#include "http/dispatch.hpp"
#include "http/exchange.hpp"
#include "http/server_impl.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/timer.hpp"

namespace lwspp::h1 {

// The role of an idle connection of an HTTP vhost (shared by all of them).
class server_role final : public role {
 public:
  explicit server_role(http::server::impl& srv) : srv_(srv) {}
  // A TLS connection that chose "h2" by ALPN becomes an HTTP/2 session.
  void on_open(connection& c) override;
  // So does a cleartext one whose first bytes are the HTTP/2 preface.
  void on_data(connection& c, std::string_view bytes) override;

 private:
  http::server::impl& srv_;
};

std::shared_ptr<role> make_server_role(http::server::impl& srv);

class server_session final : public role,
                             public http::detail::exchange,
                             public http::detail::exchange_host {
 public:
  explicit server_session(loop& l);
  ~server_session() override;

  // Takes a session for connection c (from this thread's pool or new).
  static server_session& take(http::server::impl& srv, server_role& idle, connection& c);

  // role
  void on_data(connection& c, std::string_view bytes) override;
  void on_writable(connection& c) override;
  void on_close(connection& c, const close_reason& why) override;
  void on_shutdown(connection& c) override;
  void on_peer_eof(connection& c) override;

  // exchange
  connection& conn() noexcept override { return *conn_; }
  send_result write_body(std::string_view data, bool last) override;
  void write_file(int fd, std::uint64_t offset, std::uint64_t len) override;
  void want_writable() override;
  void pause_body(bool pause) override;
  void warn(std::string_view what) override;

  // exchange_host
  http::detail::exchange* find_exchange(std::uint64_t exchange_id) noexcept override {
    return in_exchange_ && exchange_id == id ? this : nullptr;
  }

 private:
  enum class phase : std::uint8_t {
    head,     // reading a request head (or nothing yet)
    body,     // reading the body
    waiting,  // request complete; the response has not ended
  };

  void attach(http::server::impl& srv, server_role& idle, connection& c);
  void begin_exchange();
  void process(std::string_view data);
  void end_batch();  // uncork the answers to a read's pipelined requests
  bool on_head();
  void on_body(std::string_view data);
  void on_message_end();
  void upgrade(std::string_view rest);
  void reject(int status);
  void response_ended();
  void finish_exchange();
  void resume_pending();
  bool maybe_go_idle();
  void release();
  void write_small_file(int fd, std::uint64_t offset, std::uint64_t len);
  void pump_file();
  void close_file();
  void uncork();
  void arm(std::chrono::milliseconds t);
  void on_timeout();
  static void on_timeout_thunk(void* self) { static_cast<server_session*>(self)->on_timeout(); }
  send_result send_out(std::string& out, std::string_view body);

  request_parser parser_;
  std::string pending_;  // bytes of pipelined requests waiting for the current response
  timer timer_;
  connection* conn_ = nullptr;
  http::server::impl* srv_ = nullptr;
  server_role* idle_ = nullptr;
  std::uint64_t serial_ = 0;
  std::uint64_t length_left_ = 0;  // of a Content-Length response being streamed
  std::uint64_t file_off_ = 0;
  std::uint64_t file_left_ = 0;
  int file_fd_ = -1;
  http::detail::body_plan plan_ = http::detail::body_plan::discard;
  body_framing framing_ = body_framing::length;
  phase phase_ = phase::head;
  bool in_exchange_ = false;
  bool request_complete_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool peer_eof_ = false;
  bool stopping_ = false;
  bool in_process_ = false;
  bool timer_armed_ = false;
  bool read_paused_for_pending_ = false;
  bool body_paused_ = false;
  bool corked_ = false;         // TCP_CORK is on while a file goes out
  bool batching_ = false;       // conn_->cork(): pipelined answers leave in one write
  bool exchange_used_ = false;  // the exchange holds a request's state (reset() before reuse)
};

}  // namespace lwspp::h1
