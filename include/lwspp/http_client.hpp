// The HTTP client: requests by URL over HTTP/1.1 and HTTP/2 (TCP, TLS, Unix sockets),
// a connection pool per origin, redirects, content decoding, cookies,
// Basic and Digest authentication, proxies, timeouts by phase, retries.
//
//   lwspp::context ctx;
//   lwspp::http::client http(ctx);
//   http.get("https://example.com/", [&](lwspp::result<lwspp::http::client_response> r) {
//     if (r) std::printf("%d, %zu bytes\n", r->status, r->body.size());
//     else std::printf("failed: %s\n", r.error().message().c_str());
//     ctx.stop();
//   });
//   ctx.run();
//
// The request API does not depend on the wire version: over https the
// client offers HTTP/2 by ALPN and multiplexes an origin's requests on one
// connection when the server takes it (client_options::http2). Details:
// docs/http-client.md.
#pragma once
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "lwspp/context.hpp"
#include "lwspp/function.hpp"
#include "lwspp/http2_mode.hpp"
#include "lwspp/proxy.hpp"
#include "lwspp/result.hpp"

namespace lwspp::http {

// Why a request failed on HTTP's side (category "lwspp.http.client").
// Name resolution, connect and TLS keep their own codes
// (lwspp::error::dns_failed, connection_refused, connect_timeout;
// lwspp::tls_error::verify_failed with the X.509 reason, ...), and proxies
// theirs (lwspp::http::proxy_error).
enum class client_error {
  // 0 is "no error" for std::error_code.
  bad_url = 1,         // not http://, https://, http+unix:// or unix: (reported at once)
  bad_request,         // a method that is not a token; a header name that is not a token,
                       // a value with CR, LF or NUL, or a field the client owns (Host,
                       // Content-Length, Transfer-Encoding, Connection)
  first_byte_timeout,  // no byte of the response within first_byte_timeout of the request
  read_timeout,        // the response stalled: nothing read for read_timeout
  total_timeout,       // the request (redirects and retries included) passed total_timeout
  bad_response,        // a malformed response: the parser's reason and byte offset
  truncated,           // the server closed the connection before the response ended
  body_too_large,      // a whole body (decoded) passed max_body; streamed bodies have no cap
  decode_failed,       // the Content-Encoding did not decode (or is one we did not offer)
  too_many_redirects,  // more than max_redirects redirects
  bad_redirect,        // a redirect whose Location we cannot follow (another scheme)
  cancelled,           // request_handle::cancel(), or the client was destroyed
  queue_full,          // max_queued requests already wait for a connection to the origin
  stopping,            // the context is stopping
};

const std::error_category& client_error_category() noexcept;

}  // namespace lwspp::http

template <>
struct std::is_error_code_enum<lwspp::http::client_error> : std::true_type {};

namespace lwspp::http {

inline std::error_code make_error_code(client_error e) noexcept {
  return {static_cast<int>(e), client_error_category()};
}

// How long each phase of a request took, from the request's start (all 0
// for a phase that did not happen: a reused connection has no connect).
struct client_timings {
  std::chrono::microseconds queued{0};      // waiting for a connection slot
  std::chrono::microseconds connect{0};     // name resolution, TCP, a proxy's tunnel, TLS
  std::chrono::microseconds first_byte{0};  // request sent → first byte of the response
  std::chrono::microseconds total{0};       // start → the end of the response
  bool reused = false;                      // the connection had served requests before
};

struct response_field {
  std::string name;  // as received
  std::string value;
};

struct client_response {
  int status = 0;
  int version = 11;  // 10, 11 (20 over HTTP/2)
  std::string reason;
  std::vector<response_field> headers;  // the final response's, as received
  std::string body;                     // the whole body (decoded); empty when streamed
  std::string url;                      // the URL that answered (after redirects)
  unsigned redirects = 0;
  client_timings timings;

  // The first value of a field (case-insensitive name), "" if absent.
  std::string_view header(std::string_view name) const noexcept;
};

// A streamed request body (client_request::source) writes through this.
class body_sink {
 public:
  virtual ~body_sink() = default;
  // Queues a piece of the body. When the result reports backpressure, stop
  // and return source_status::more: the source is called again once the
  // connection can take more.
  virtual send_result write(std::string_view piece) = 0;
};

enum class source_status : std::uint8_t {
  more,      // call again when the connection can take more
  done,      // the body is complete
  deferred,  // nothing to write now: call again after request_handle::resume_body()
};

// Called on the client's loop thread whenever the connection can take more.
using body_source = unique_function<source_status(body_sink&)>;

struct client_request {
  std::string method = "GET";
  // http://host[:port]/path?query, https://..., with user:password@ for
  // Basic or Digest; http+unix://%2Frun%2Fapp.sock/path, or
  // unix:/run/app.sock (resource "/") and unix:/run/app.sock:/path?query.
  // A fragment is dropped.
  std::string url;
  // Extra fields. Host, Content-Length, Transfer-Encoding and Connection
  // are the client's (refused here). A User-Agent, Accept-Encoding or
  // Authorization given here replaces the client's own.
  std::vector<std::pair<std::string, std::string>> headers = {};
  // The body, sent with Content-Length (also when empty for POST, PUT and
  // PATCH). Kept for a 307/308 redirect, a retry or a Digest challenge.
  std::string body = {};
  // Or a streamed body (takes precedence over `body`): sent with
  // content_length when set, else chunked. A streamed request is not
  // retried, and a 307/308 redirect or an authentication challenge is
  // returned as the response.
  body_source source = {};
  std::optional<std::uint64_t> content_length = {};
};

// The streamed form of a response's delivery. Runs on the client's loop thread.
struct response_handlers {
  // The final response's head (after 1xx responses and redirects); its
  // body is empty.
  unique_function<void(const client_response&)> on_headers = {};
  // A piece of the body, decoded. Call request_handle::pause() to stop
  // delivery for a while (the connection stops reading).
  unique_function<void(std::string_view)> on_body = {};
  // Exactly once, last: `why` is empty (!why.code) when the response ended
  // well, else why it failed (the response's head may be empty).
  unique_function<void(const client_response&, const error_info& why)> on_complete = {};
};

// The whole form: the response with its body, or why there is none.
using response_callback = unique_function<void(result<client_response>)>;

// Retrying failed attempts with jittered exponential backoff: for methods
// that are idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), when the
// connection failed (DNS, connect, TLS handshake, reset, truncated), a
// timeout passed, or the response was 503 or 429. Off by default. The wait
// before retry n (from 1) is min(max_delay, initial_delay *
// multiplier^(n-1)), less a random part of up to `jitter` of it.
// Independently of this, a request that finds a reused keep-alive
// connection closed under it before any byte of the response is sent again
// once on a new connection (the server closing an idle connection).
struct retry_options {
  unsigned attempts = 0;  // extra attempts after the first
  std::chrono::milliseconds initial_delay{200};
  std::chrono::milliseconds max_delay{10000};
  double multiplier = 2.0;  // >= 1
  double jitter = 0.3;      // 0-1
};

struct client_options {
  // Connecting: the connection's limits, connect_timeout (name resolution
  // and TCP), TLS for https (verification on against the system store when
  // unset; the name verified is the URL's host unless tls.server_name says
  // otherwise), the handshake timeout, the loop (loop_index) that runs the
  // client and its handlers.
  connect_options connect = {};
  std::chrono::milliseconds first_byte_timeout{30000};
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds total_timeout{0};  // 0: none
  // The pool: connections per origin (scheme, host, port), requests that
  // may wait for one, how long an idle connection is kept.
  unsigned max_connections_per_origin = 8;
  std::size_t max_queued = 10000;
  std::chrono::milliseconds idle_timeout{30000};
  // Pipelining: up to this many requests in flight on one connection
  // (idempotent methods without a streamed body). 1: none.
  unsigned pipeline_depth = 1;
  // HTTP/2: an origin that speaks it gets one connection carrying its
  // requests concurrently (up to the server's MAX_CONCURRENT_STREAMS; more
  // wait), instead of up to max_connections_per_origin.
  http2_mode http2 = http2_mode::negotiate;
  // Responses.
  std::size_t max_response_head = 16 * 1024;
  std::size_t max_body = 16 * 1024 * 1024;  // whole responses, decoded
  unsigned max_redirects = 10;              // 0: a redirect is the response
  // Send Accept-Encoding (gzip, and br in builds with brotli) and decode
  // what comes back; streamed bodies too.
  bool decompress = true;
  // Keep cookies from Set-Cookie and send them back (RFC 6265), per client.
  bool cookies = false;
  std::string user_agent = "lwspp";
  // The proxy for every request. When unset, the environment decides per
  // request as curl does (https_proxy, http_proxy, all_proxy, no_proxy;
  // read once, when the client is made); proxy_from_environment = false
  // ignores it. Requests over Unix sockets never use a proxy. https:// and
  // SOCKS5 go through a tunnel; plain http:// through an HTTP proxy is sent
  // to it in absolute form (with Proxy-Authorization: Basic when the proxy
  // has credentials). See docs/proxy.md.
  std::optional<proxy> via = {};
  bool proxy_from_environment = true;
  retry_options retry = {};
};

class client;
namespace detail {
class client_core;
class client_fetch;
}  // namespace detail

// A request in flight: cancel it, or pause and resume its response. Any
// thread (on the loop thread the call takes effect at once, elsewhere it
// is posted). Does nothing once the request has completed.
class request_handle {
 public:
  request_handle() = default;
  void cancel() const;       // on_complete with client_error::cancelled
  void pause() const;        // stop delivering the body (the connection stops reading)
  void resume() const;       // deliver again
  void resume_body() const;  // a deferred body source has more to write

 private:
  friend class client;
  explicit request_handle(std::weak_ptr<detail::client_fetch> f) : fetch_(std::move(f)) {}
  std::weak_ptr<detail::client_fetch> fetch_;
};

struct client_stats {
  std::uint64_t requests = 0;     // completed, well or not
  std::uint64_t connections = 0;  // opened
  std::uint64_t reused = 0;       // requests that went over a connection used before
  std::size_t open = 0;           // connections open now
  std::size_t idle = 0;           // of which idle in the pool
};

// What `co_await client.get(url)` and `co_await client.request(req)`
// return (see <lwspp/coro.hpp>): the request starts when awaited, and the
// coroutine resumes on the client's loop thread with the result. The
// request is held by value in the awaiter, which lives in the coroutine's
// frame while it waits.
class response_awaiter {
 public:
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  result<client_response> await_resume() { return std::move(*result_); }

 private:
  friend class client;
  response_awaiter(client& c, client_request req) : client_(c), req_(std::move(req)) {}
  client& client_;
  client_request req_;
  std::optional<result<client_response>> result_;
};

class client {
 public:
  // A client for ctx (which must outlive it), on loop opts.connect.loop_index.
  explicit client(context& ctx, client_options opts = {});
  // Cancels what is in flight (on_complete with cancelled runs on the
  // loop thread later) and closes the pool's connections.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Any thread. A bad URL or request is reported through the callback too
  // (on the loop thread), never thrown.
  request_handle request(client_request req, response_callback done);
  request_handle request(client_request req, response_handlers h);
  request_handle get(std::string url, response_callback done);
  // For coroutines: co_await client.get(url), co_await client.request(req).
  [[nodiscard]] response_awaiter get(std::string url);
  [[nodiscard]] response_awaiter request(client_request req);

  // Any thread (a snapshot).
  client_stats stats() const;
  const client_options& options() const noexcept;

 private:
  request_handle submit(client_request req, response_callback whole, response_handlers streamed);
  std::shared_ptr<detail::client_core> core_;
};

}  // namespace lwspp::http
