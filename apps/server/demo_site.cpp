// The demo site. The page says what exists today and what does not yet: the
// WebSocket endpoints /echo and /chat come with the WebSocket role.
#include "demo_site.hpp"

#include <string>
#include <utility>

namespace lwspp_server {
namespace {

constexpr std::string_view page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lwspp demo</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
  h2 { font-size: 1.15rem; margin-top: 2rem; }
  code { background: #f2f2f2; padding: 0 0.25rem; border-radius: 3px; }
  .soon { color: #666; }
</style>
</head>
<body>
<h1>lwspp demo</h1>
<p>lwspp is a C++20 networking library for Linux, with a server program,
that aims to do what libwebsockets does: an epoll event loop per thread,
timers, raw TCP, Unix and UDP sockets, and an HTTP/1.1 server with routes,
static files, compression, basic authentication and access logs.</p>
<p>This page is served by <code>lwspp-server</code> from its embedded
default config, over HTTP/1.1.</p>

<h2>Hello</h2>
<p><a href="/hello">/hello</a> answers <code>Hello, world!</code> as plain text.</p>

<h2>WebSocket echo</h2>
<p class="soon">Not yet: a WebSocket echo at <code>/echo</code> arrives with
the WebSocket role.</p>

<h2>Chat</h2>
<p class="soon">Not yet: a chat room at <code>/chat</code>, over WebSocket,
arrives with the WebSocket role.</p>
</body>
</html>
)html";

}  // namespace

std::string_view demo_page() noexcept {
  return page;
}

void add_demo_routes(lwspp::http::server& app, std::uint64_t max_body) {
  using lwspp::http::handler;
  using lwspp::http::method;
  using lwspp::http::request;
  using lwspp::http::response;
  app.route(method::get, "/",
            handler{.on_request =
                        [](request&, response& res) {
                          res.content_type("text/html; charset=utf-8").send(page);
                        },
                    .max_body = max_body});
  app.route(method::get, "/hello",
            handler{.on_request =
                        [](request&, response& res) {
                          res.content_type("text/plain").send("Hello, world!");
                        },
                    .max_body = max_body});
  // No icon: 204 tells the browser there is none, and the cache header keeps
  // it from asking on every page view.
  app.route(method::get, "/favicon.ico",
            handler{.on_request =
                        [](request&, response& res) {
                          res.status(204).header("cache-control", "max-age=86400").end();
                        },
                    .max_body = max_body});
}

}  // namespace lwspp_server
