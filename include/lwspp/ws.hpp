// WebSocket (RFC 6455, with permessage-deflate, RFC 7692): the types an
// application sees. The server side is a route of lwspp::http::server:
//
//   lwspp::context ctx;
//   lwspp::http::server app;
//   app.ws("/echo", {.message = [](lwspp::ws::socket& s, std::string_view msg,
//                                  lwspp::ws::message_kind kind) { s.send(msg, kind); }});
//   app.listen(ctx, {.listen = "127.0.0.1:8080"});
//   ctx.run();
//
// Handlers run on the connection's loop thread. A socket& given to a handler
// is valid for that call; keep a socket_handle to reach the socket later or
// from another thread. Details, defaults and limits: docs/websocket.md.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lwspp/address.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/error.hpp"
#include "lwspp/function.hpp"

namespace lwspp::http {
class request;
class response;
}  // namespace lwspp::http

namespace lwspp::ws {

// A data message is text (valid UTF-8, checked on receipt) or binary.
enum class message_kind : std::uint8_t { text, binary };

// Close status codes (RFC 6455 §7.4.1, IANA registry). Any value in
// 3000-4999 is also valid on the wire (3000-3999 registered by libraries and
// frameworks, 4000-4999 private use).
enum class close_code : std::uint16_t {
  normal = 1000,            // the purpose of the connection is fulfilled
  going_away = 1001,        // server shutting down, or a browser leaving the page
  protocol_error = 1002,    // a framing rule was broken
  unsupported_data = 1003,  // a kind of message this endpoint cannot accept
  no_status = 1005,         // never sent: reported when a close frame had no code
  abnormal = 1006,          // never sent: reported when the connection ended without a close frame
  invalid_payload = 1007,   // text that is not UTF-8, or undecodable compressed data
  policy_violation = 1008,  // a generic refusal
  message_too_big = 1009,   // a message over the receiver's limit
  mandatory_extension = 1010,  // (client) the server did not agree to a required extension
  internal_error = 1011,       // the server hit an unexpected condition
  service_restart = 1012,      // the server is restarting
  try_again_later = 1013,      // temporary overload
  bad_gateway = 1014,          // a gateway got an invalid response upstream
  tls_handshake = 1015,        // never sent: the TLS handshake failed
};

class socket;
class socket_handle;

// A piece of a message, for handlers that stream (handlers::fragment).
struct message_piece {
  std::string_view data = {};
  message_kind kind = message_kind::binary;
  bool first = false;  // the message's first piece
  bool last = false;   // the message's last piece (may be empty)
};

// Every handler is optional. With loops > 1 they are called from several
// threads at once: state they capture must be per socket or locked.
struct handlers {
  // Server: called with the upgrade request before it is answered. Return
  // false to refuse: the answer is what `res` holds (res.send_error(401),
  // ...), or 403 when nothing was sent. Fields set on `res` by a handler
  // that accepts go into the 101 response.
  unique_function<bool(const http::request&, http::response&)> upgrade = {};
  // The socket is open: the 101 has been sent. On the server,
  // socket::upgrade_request() is the request during this call.
  unique_function<void(socket&)> open = {};
  // A whole message (at most options::max_message_size; larger: close 1009).
  // `data` is valid during the call.
  unique_function<void(socket&, std::string_view data, message_kind kind)> message = {};
  // Opt-in streaming: when set, messages arrive as pieces here instead of
  // whole through `message` (options::max_message_size still bounds each).
  unique_function<void(socket&, const message_piece& piece)> fragment = {};
  // The write queue has drained after a send reported backpressure (or was
  // refused at the backpressure limit): sending may go on.
  unique_function<void(socket&)> drain = {};
  // A ping arrived (the pong has already been sent) / a pong arrived.
  unique_function<void(socket&, std::string_view payload)> ping = {};
  unique_function<void(socket&, std::string_view payload)> pong = {};
  // The connection has closed, exactly once per opened socket. `code` and
  // `reason` are the peer's close frame's when it sent one; else the code
  // we sent (a protocol error's, a timeout's), or 1006 when none was
  // exchanged. `why` says what ended it (docs/websocket.md). Sends are
  // refused from here on; state_as<T>() state is still there.
  unique_function<void(socket&, close_code code, std::string_view reason, const close_reason& why)>
      close = {};
};

// What a send does once more than max_backpressure bytes wait for the peer.
enum class backpressure_policy : std::uint8_t {
  refuse,                // the send is refused (send_status::refused); drain comes later
  close_policy,          // the slow peer is closed with 1008 (policy violation)
  close_try_again_later  // the slow peer is closed with 1013 (try again later)
};

// permessage-deflate (RFC 7692). Off by default: with full windows it costs
// about 300 KiB per connection once used (docs/ws-codec.md).
struct deflate_options {
  bool enabled = false;
  int server_max_window_bits = 15;          // 8-15: our compressor's window
  int client_max_window_bits = 15;          // 8-15: our decompressor's window (the client's)
  bool server_no_context_takeover = false;  // compress each message on its own
  bool client_no_context_takeover = false;  // ask the client to do the same
  int level = 6;                            // zlib level 1-9
  std::size_t min_size = 64;                // smaller messages are sent uncompressed
  // Without context takeover: free the zlib state after each message.
  bool release_idle = false;
};

struct options {
  // Subprotocols this endpoint speaks; the first one the client offers (in
  // its order) is chosen. None in common: no Sec-WebSocket-Protocol answer.
  std::vector<std::string> protocols = {};
  // Origin values allowed ("https://example.com"); empty: any. A request
  // without Origin (not from a browser) passes.
  std::vector<std::string> origins = {};
  // Added to the 101 response.
  std::vector<std::pair<std::string, std::string>> response_headers = {};
  // A received message's payload (after decompression); over it: close 1009.
  std::uint64_t max_message_size = 1024 * 1024;
  // Streaming a compressed message: the most decompressed bytes per piece.
  std::size_t max_fragment = 16 * 1024;
  // Bytes waiting for the peer above which a send is refused or the peer
  // closed (policy); a send that starts under it is taken whole, so the
  // queue holds at most this plus one message. The connection's own
  // write_limit (vhost_options::connection) stays the hard cap.
  std::size_t max_backpressure = 1024 * 1024;
  backpressure_policy on_backpressure = backpressure_policy::refuse;
  // Outgoing messages longer than this go as several frames (0: one frame).
  std::size_t send_frame_size = 0;
  // After this long without anything received, send a ping (0: never)...
  std::chrono::milliseconds ping_interval{30000};
  // ...and close (1001, why: idle_timeout) if nothing comes back within this.
  std::chrono::milliseconds pong_timeout{30000};
  // After our close frame, how long to wait for the peer's before closing the connection.
  std::chrono::milliseconds close_timeout{5000};
  deflate_options deflate = {};
};

// The WebSocket as handlers see it. Owned by the library: never stored by
// reference past a handler call (keep a socket_handle instead).
class socket {
 public:
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  // Sends a whole message. written / queued (with the bytes now buffered and
  // a backpressure flag: wait for handlers::drain) / refused (closing or
  // closed, text that is not UTF-8, a fragmented send in progress, or the
  // backpressure limit under backpressure_policy::refuse).
  send_result send(std::string_view data, message_kind kind = message_kind::text);
  // Sends a message in pieces: the first call starts a message of `kind`, the
  // call with last = true ends it. Other sends wait their turn: a whole
  // message sent meanwhile is refused. Control frames may go in between.
  send_result send_fragment(std::string_view data, message_kind kind, bool last);
  // A ping with up to 125 bytes of payload (handlers::pong gets the answer).
  send_result ping(std::string_view payload = {});
  // Starts the closing handshake: our close frame, then the peer's answer
  // (at most options::close_timeout), then the TCP close. A code that may
  // not be sent (1005, 1006, 1015, ...) or a reason over 123 bytes or not
  // UTF-8 is replaced by 1000 and no reason.
  void close(close_code code = close_code::normal, std::string_view reason = {});
  // Resets the connection at once, without a closing handshake.
  void abort();

  // Stops and restarts delivery of messages (TCP then holds the peer back).
  void pause_reading();
  void resume_reading();

  // True until a close frame was sent or received.
  bool is_open() const noexcept;
  // Bytes waiting in the write queue.
  std::size_t buffered() const noexcept;
  // The subprotocol agreed on ("" if none).
  std::string_view protocol() const noexcept;
  // Whether permessage-deflate was agreed on.
  bool compressed() const noexcept;
  address peer() const;
  // Server, during handlers::open only: the upgrade request (path, query,
  // headers); nullptr elsewhere.
  const http::request* upgrade_request() const noexcept;

  // Per-socket user state (as connection::state_as: created on first use,
  // destroyed with the connection, one type per socket).
  template <class T>
  T& state_as() {
    return conn().template state_as<T>();
  }
  // Pub/sub (docs/websocket.md#pubsub), on the loop thread: from subscribe
  // until unsubscribe or the close, the socket receives every message
  // published to `topic` in its context (ws::publish in <lwspp/ws_pubsub.hpp>,
  // from any thread). False: already subscribed / was not subscribed /
  // the socket is closing / a client socket (clients publish, servers subscribe).
  bool subscribe(std::string_view topic);
  bool unsubscribe(std::string_view topic);
  // ws::publish(context, topic, data, kind) in this socket's context (it
  // receives the message too if subscribed). Returns the subscribers it was
  // sent to; 0 when there were none or text is not UTF-8.
  std::size_t publish(std::string_view topic, std::string_view data,
                      message_kind kind = message_kind::text);

  // A weak handle usable from any thread.
  socket_handle handle();
  // The underlying connection (TLS details, counters).
  connection& conn() noexcept;

 protected:
  socket() = default;
  ~socket() = default;
};

// A weak reference to a socket, usable from any thread. Operations post to
// the socket's loop; those posted from one thread run in order. Once the
// socket has closed they do nothing (and return false when that is known).
class socket_handle {
 public:
  socket_handle() = default;
  bool send(std::string data, message_kind kind = message_kind::text) const;
  bool close(close_code code = close_code::normal, std::string reason = {}) const;
  // Runs fn(socket&) on the loop thread if the socket is still open by then.
  bool dispatch(unique_function<void(socket&)> fn) const;
  // A hint: true once the socket is known to be gone.
  bool expired() const noexcept { return conn_.expired(); }
  // Loop thread only: the socket, or nullptr once it has closed.
  socket* get() const noexcept;

 private:
  friend class socket;
  explicit socket_handle(connection_handle c) : conn_(std::move(c)) {}
  connection_handle conn_;
};

}  // namespace lwspp::ws
