// The WebSocket client (RFC 6455, with permessage-deflate, RFC 7692):
//
//   lwspp::context ctx;
//   auto c = lwspp::ws::connect(ctx, "wss://example.com/chat",
//       {.open = [](lwspp::ws::socket& s) { s.send("hello"); },
//        .message = [](lwspp::ws::socket& s, std::string_view m, lwspp::ws::message_kind) {
//          std::printf("%.*s\n", int(m.size()), m.data());
//          s.close();
//        },
//        .close = [&](lwspp::ws::socket&, lwspp::ws::close_code, std::string_view,
//                     const lwspp::close_reason& why) { ctx.stop(); }});
//   if (!c) return 1;  // a bad URL or option: c.error().message() says why
//   ctx.run();
//
// The handlers and the socket are the server's (<lwspp/ws.hpp>). A client
// adds: handlers::close also ends every attempt that failed before open
// (DNS, refused, TLS, handshake), with close_code 1006 (1015 when the TLS
// handshake failed) and `why` saying what; reconnecting with backoff when
// asked; redirects when asked. Details: docs/websocket.md, "Clients".
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "lwspp/context.hpp"
#include "lwspp/http2_mode.hpp"
#include "lwspp/result.hpp"
#include "lwspp/ws.hpp"

namespace lwspp::ws {

// Why a client connection failed on the WebSocket's side (category
// "lwspp.ws.client"). Name resolution, connect and TLS failures keep their
// own codes (lwspp::error::dns_failed, connection_refused, connect_timeout;
// lwspp::tls_error::verify_failed with the X.509 reason, ...).
enum class client_error {
  // 0 is "no error" for std::error_code.
  bad_url = 1,         // not ws:// or wss://host[:port][/path][?query] (returned by connect)
  bad_option,          // an option that cannot work: a header with CR/LF/NUL, a header
                       // the handshake owns, a subprotocol that is not a token (connect)
  handshake_timeout,   // no complete answer to the upgrade request in time
  handshake_status,    // the server answered with another status than 101; the detail
                       // starts with it ("HTTP 404 Not Found"), protocol_code is it
  handshake_invalid,   // a malformed response, or a 101 that breaks RFC 6455 §4.1: the
                       // accept key, Upgrade, Connection, a subprotocol or an extension
                       // we did not offer
  too_many_redirects,  // more redirects than follow_redirects allows (or one without Location)
};

const std::error_category& client_error_category() noexcept;

}  // namespace lwspp::ws

template <>
struct std::is_error_code_enum<lwspp::ws::client_error> : std::true_type {};

namespace lwspp::ws {

inline std::error_code make_error_code(client_error e) noexcept {
  return {static_cast<int>(e), client_error_category()};
}

// Reconnecting after a connection ended or an attempt failed. Off by
// default. The wait before attempt n (n = 1 after a drop) is
// min(max_delay, initial_delay * multiplier^(n-1)), less a random part of
// up to `jitter` of it (so that many clients do not come back in step).
// A successful open starts the count again.
struct reconnect_options {
  bool enabled = false;
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{30000};
  double multiplier = 2.0;    // >= 1
  double jitter = 0.3;        // 0-1
  unsigned max_attempts = 0;  // failed attempts in a row before giving up (0: no limit)
};

struct client_options {
  // The WebSocket options (<lwspp/ws.hpp>) that apply to a client:
  // protocols (offered, in this order; the server picks one or none),
  // max_message_size, max_fragment, max_backpressure, on_backpressure,
  // send_frame_size, ping_interval, pong_timeout, close_timeout, and deflate
  // (offered when enabled: client_max_window_bits is our compressor's
  // window, server_max_window_bits asks the server to limit its own — our
  // inflate memory —, the *_no_context_takeover flags likewise). origins
  // and response_headers are the server's: they must stay empty.
  options ws = {};
  // Origin to send (browsers' field; most servers ignore it). Empty: none.
  std::string origin = {};
  // Extra fields for the upgrade request ("Authorization", "Cookie", ...).
  // Names must be tokens, values free of CR, LF and NUL; the fields the
  // handshake owns (Host, Upgrade, Connection, Sec-WebSocket-*) are refused.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // Connecting: timeouts, the connection's limits, the loop, and TLS for
  // wss:// (verification on against the system store when unset; the SNI
  // name and the name verified are the URL's host unless tls.server_name
  // says otherwise). tls is ignored for ws://.
  connect_options connect = {};
  // From the TCP (and TLS) connection to a complete answer to the upgrade request.
  std::chrono::milliseconds handshake_timeout{10000};
  // The largest response head accepted (status line and fields).
  std::size_t max_response_head = 16 * 1024;
  // Redirects (301, 302, 303, 307, 308 with a Location) to follow per
  // attempt. 0 (the default): a redirect is a failure (handshake_status).
  unsigned follow_redirects = 0;
  reconnect_options reconnect = {};
  // WebSocket over HTTP/2 (RFC 8441), on a connection of its own. off (the
  // default): HTTP/1.1 Upgrade. negotiate: wss offers "h2" and "http/1.1"
  // by ALPN; prior_knowledge: as negotiate, and ws speaks HTTP/2 from the
  // first byte. Over h2 the handshake is an extended CONNECT once the
  // server's SETTINGS enable it; a server that does not enable it gets an
  // HTTP/1.1 Upgrade on a new connection (and keeps getting one for this
  // client). follow_redirects does not apply to HTTP/2 answers.
  http::http2_mode http2 = http::http2_mode::off;
};

namespace detail {
class client_core;
}

// A client connection: a handle usable from any thread, cheap to copy.
// Operations post to the client's loop and run in order; they do nothing
// (or return false) when no socket is open by then. The client keeps going
// when every handle is gone; stop() or close() ends it.
class client {
 public:
  client() = default;

  // As socket_handle: to the socket open at the time the task runs.
  bool send(std::string data, message_kind kind = message_kind::text) const;
  bool dispatch(unique_function<void(socket&)> fn) const;
  // Closes the open socket with the closing handshake (an attempt under way
  // is abandoned) and ends reconnecting.
  bool close(close_code code = close_code::normal, std::string reason = {}) const;
  // Ends reconnecting; the open socket, if any, is closed with 1000
  // ("going away" reason), a pending attempt or wait is abandoned.
  void stop() const;
  // True once the client will make no more attempts and its last socket
  // has closed (true in handlers::close of the end). Any thread.
  bool finished() const noexcept;
  // The URL connected to (after redirects), for logs.
  std::string url() const;

 private:
  friend result<client> connect(context&, std::string_view, handlers, client_options);
  explicit client(std::shared_ptr<detail::client_core> c) : core_(std::move(c)) {}
  std::shared_ptr<detail::client_core> core_;
};

// Starts connecting to `url` (ws:// or wss://) on the context's loop
// (client_options::connect.loop_index). Any thread; the handlers run on
// that loop's thread. A bad URL or option is returned as an error here
// (client_error::bad_url, bad_option); everything later is reported to
// handlers::close. The context must outlive the connection.
result<client> connect(context& ctx, std::string_view url, handlers h, client_options opts = {});

}  // namespace lwspp::ws
