// lwspp::http::server — routes, mounts and settings of an HTTP server, and
// listen() to serve them on a vhost (HTTP/1.1 today; HTTP/2 reuses the same
// routes and handlers).
//
//   lwspp::context ctx;
//   lwspp::http::server app;
//   app.get("/hello", [](auto&, auto& res) { res.send("Hello, world!"); });
//   app.mount("/", {.root = "./www"});
//   app.ws("/echo", {.message = [](auto& s, auto msg, auto kind) { s.send(msg, kind); }});
//   auto vh = app.listen(ctx, {.listen = "127.0.0.1:8080"});
//   ctx.run();
//
// Routing: the path is percent-decoded and normalised once; then an exact
// route wins, else the longest matching prefix ("/static/*" routes, mounts,
// redirects). A route with other methods only gives 405 with Allow.
// The server must outlive the vhosts it listens on. Handlers run on the loop
// threads, possibly several at once when the context has several loops.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lwspp/context.hpp"
#include "lwspp/function.hpp"
#include "lwspp/http.hpp"
#include "lwspp/result.hpp"
#include "lwspp/ws.hpp"

namespace lwspp::http {

using handler_fn = unique_function<void(request&, response&)>;

// A route's handler. By default the whole body is read first (up to
// max_body, else 413) and on_request runs once with request::body() filled.
// Setting on_body opts in to streaming: on_request runs when the head is in,
// then on_body for each piece, then on_body_end.
struct handler {
  handler_fn on_request = {};
  unique_function<void(request&, response&, std::string_view)> on_body = {};
  handler_fn on_body_end = {};
  std::uint64_t max_body = 1024 * 1024;  // bytes; past it: 413
};

// Basic authentication (RFC 7617) for a route or mount. The credentials file
// has one "user:password" per line ('#' starts a comment); it is read when
// the route is added, and a missing or empty file is an error then.
struct basic_auth {
  std::string credentials_file = {};
  std::string realm = "lwspp";
};

struct static_options {
  std::string root = {};                 // directory served
  std::string index = "index.html";      // served for a directory ("" = none)
  std::string cache_control = {};        // Cache-Control value ("" = none)
  bool directory_listing = false;        // list directories without an index
  bool symlinks_outside_root = false;    // follow symlinks that leave root
  bool precompressed = true;             // serve file.br / file.gz siblings
  bool compress = true;                  // gzip/brotli compressible types on the fly
  std::uint64_t compress_max = 8 << 20;  // larger files are sent as they are
  basic_auth auth = {};                  // credentials_file set: protected
};

struct server_options {
  // Request limits (each past-limit request gets its status and Connection: close).
  std::size_t max_request_line = 8 * 1024;   // 414
  std::size_t max_header_bytes = 16 * 1024;  // 431
  std::size_t max_headers = 100;             // 431
  // Timeouts: the whole head must arrive within header_timeout of its first
  // byte (slowloris); body bytes may stall at most body_timeout; an idle
  // keep-alive connection closes after keepalive_timeout; a response the
  // peer does not read closes after send_timeout without progress.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds keepalive_timeout{60000};
  std::chrono::milliseconds send_timeout{60000};
  // Added to every response of this server ("" value: not sent).
  std::string server_name = "lwspp";
  std::vector<std::pair<std::string, std::string>> response_headers = {};
  // Custom error pages: status → file whose content is sent (read at listen()).
  std::vector<std::pair<int, std::string>> error_pages = {};
  // Access log in combined format: a file path, "-" for stderr, "" for none.
  std::string access_log = {};
  // HTTP/2 (docs/http2.md, "Server"): a cleartext port takes clients that
  // start with the HTTP/2 preface (prior knowledge, h2c), and a TLS vhost
  // offers "h2" by ALPN ahead of "http/1.1". Off: HTTP/1.1 only.
  bool http2 = true;
};

class server {
 public:
  explicit server(server_options opts = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // A route for one method. `path` is exact ("/hello") or a prefix ending in
  // "/*" ("/api/*", which also matches "/api").
  server& route(method m, std::string path, handler h, basic_auth auth = {});
  server& get(std::string path, handler_fn fn);
  server& post(std::string path, handler_fn fn);
  server& put(std::string path, handler_fn fn);
  server& del(std::string path, handler_fn fn);
  // Any method.
  server& any(std::string path, handler_fn fn);
  // Static files under a prefix.
  server& mount(std::string prefix, static_options opts);
  // Redirect everything under prefix to location + the rest of the path.
  server& redirect(std::string prefix, std::string location, int status = 301);
  // A WebSocket endpoint (RFC 6455): GET requests to `path` (exact, or a
  // prefix ending in "/*") that ask for an upgrade become WebSockets served
  // by `h`. A plain request to the path goes to the other routes of the
  // same path, else gets 426 Upgrade Required. See docs/websocket.md.
  server& ws(std::string path, ws::handlers h, ws::options opts = {}, basic_auth auth = {});

  // Serves this server on a new vhost. Errors: the address is bad or busy, a
  // credentials file or error page cannot be read.
  result<vhost*> listen(context& ctx, vhost_options opts);

  const server_options& options() const noexcept;

  struct impl;
  impl& internals() noexcept { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace lwspp::http
