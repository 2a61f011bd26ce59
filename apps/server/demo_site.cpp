// The demo site: a page about lwspp whose script talks to the WebSocket
// endpoints /echo and /chat (ws:// over http, wss:// over https).
#include "demo_site.hpp"

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "demo_lws.hpp"
#include "lwspp/http.hpp"
#include "lwspp/ws.hpp"

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
  ul { padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>lwspp demo</h1>
<p>lwspp is a C++20 networking library for Linux, with a server program,
that aims to do what libwebsockets does: an epoll event loop per thread,
timers, raw TCP, Unix and UDP sockets, and an HTTP/1.1 server with routes,
static files, compression, basic authentication and access logs, and
WebSocket endpoints with permessage-deflate.</p>
<p>This page is served by <code>lwspp-server</code> from its embedded
default config, over HTTP/1.1 (and HTTPS on the TLS port).</p>

<h2>Hello</h2>
<p><a href="/hello">/hello</a> answers <code>Hello, world!</code> as plain text.</p>

<h2>WebSocket echo</h2>
<p><code>/echo</code> sends every message back as it came, text as text and
binary as binary (permessage-deflate when the browser offers it).</p>
<p id="echo-status">echo: not connected</p>
<form id="echo-form"><input id="echo-input" value="Hello, WebSocket!" size="30">
<button>Send</button></form>
<ul id="echo-log"></ul>

<h2>Chat</h2>
<p><code>/chat</code> is a room: what one page sends, every page in the room
gets. Open this page twice to talk to yourself.</p>
<p id="chat-status">chat: not connected</p>
<form id="chat-form"><input id="chat-input" placeholder="say something" size="30">
<button>Send</button></form>
<ul id="chat-log"></ul>

<script>
  // Over http the sockets are ws://, over https wss://, on the same host.
  const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
  const $ = (id) => document.getElementById(id);
  const note = (list, text) => {
    const li = document.createElement('li');
    li.textContent = text;
    $(list).appendChild(li);
  };

  // Echo: on open, a text and a binary probe make the round trip.
  const echo = new WebSocket(base + '/echo');
  echo.binaryType = 'arraybuffer';
  let probeSent = 0;
  echo.onopen = () => {
    $('echo-status').textContent = 'echo: open' + (echo.extensions ? ' (' + echo.extensions + ')' : '');
    probeSent = performance.now();
    echo.send('probe from the page');
    echo.send(new Uint8Array([0, 1, 2, 253, 254, 255]));
  };
  let probes = 0;
  echo.onmessage = (e) => {
    if (typeof e.data === 'string') {
      if (e.data === 'probe from the page') probes++;
      note('echo-log', 'text: ' + e.data);
    } else {
      const b = new Uint8Array(e.data);
      if (b.join(',') === '0,1,2,253,254,255') probes++;
      note('echo-log', 'binary: ' + b.length + ' bytes [' + b.join(',') + ']');
    }
    if (probes === 2) {
      probes = 3;
      $('echo-status').textContent = 'echo: round trip ok, text and binary, in ' +
          Math.round(performance.now() - probeSent) + ' ms' +
          (echo.extensions ? ' (' + echo.extensions + ')' : '');
    }
  };
  echo.onclose = (e) => { $('echo-status').textContent = 'echo: closed (' + e.code + ')'; };
  $('echo-form').onsubmit = (e) => {
    e.preventDefault();
    if (echo.readyState === WebSocket.OPEN) echo.send($('echo-input').value);
  };

  // Chat: a name for this page, then everything the room says.
  const me = 'guest-' + Math.floor(Math.random() * 9000 + 1000);
  const chat = new WebSocket(base + '/chat?name=' + encodeURIComponent(me));
  chat.onopen = () => { $('chat-status').textContent = 'chat: open as ' + me; };
  chat.onmessage = (e) => note('chat-log', e.data);
  chat.onclose = (e) => { $('chat-status').textContent = 'chat: closed (' + e.code + ')'; };
  $('chat-form').onsubmit = (e) => {
    e.preventDefault();
    const text = $('chat-input').value;
    if (text && chat.readyState === WebSocket.OPEN) chat.send(text);
    $('chat-input').value = '';
  };
</script>
</body>
</html>
)html";

// The chat room of one vhost: a pub/sub topic of its own (the context may
// serve several demo vhosts), and a bound on its members.
class chat_room {
 public:
  static constexpr std::size_t max_members = 1000;
  static constexpr std::size_t max_name = 32;

  chat_room() : topic_("demo-chat-" + std::to_string(++rooms)) {}
  const std::string& topic() const noexcept { return topic_; }
  // Checked at the upgrade (a few concurrent upgrades may pass it together);
  // counted from open to close.
  bool full() const noexcept { return members_.load() >= max_members; }
  void join() noexcept { members_.fetch_add(1); }
  void leave() noexcept { members_.fetch_sub(1); }

 private:
  static inline std::atomic<int> rooms{0};
  std::string topic_;
  std::atomic<std::size_t> members_{0};
};

struct chat_member {
  bool joined = false;
  std::string name;
};

// A name from the query, cut to max_name bytes of printable ASCII.
std::string member_name(const lwspp::http::request* req) {
  std::string name;
  if (req) {
    for (char c : req->query_param("name")) {
      if (c > ' ' && c < 0x7f && name.size() < chat_room::max_name) name += c;
    }
  }
  return name.empty() ? "guest" : name;
}

// Small windows: a few tens of KiB per connection rather than ~300.
constexpr lwspp::ws::deflate_options demo_deflate{
    .enabled = true, .server_max_window_bits = 11, .client_max_window_bits = 11};

void add_websockets(lwspp::http::server& app, bool deflate) {
  using lwspp::ws::message_kind;
  using lwspp::ws::socket;
  const lwspp::ws::deflate_options z = deflate ? demo_deflate : lwspp::ws::deflate_options{};
  app.ws("/echo",
         {.message = [](socket& s, std::string_view msg, message_kind kind) { s.send(msg, kind); }},
         {.deflate = z});

  // The room: every member subscribes to its topic, and a message to the
  // room is one publish (framed once, written to each member on its loop).
  auto room = std::make_shared<chat_room>();
  lwspp::ws::handlers chat;
  chat.upgrade = [room](const lwspp::http::request&, lwspp::http::response& res) {
    if (!room->full()) return true;
    res.send_error(503);
    return false;
  };
  chat.open = [room](socket& s) {
    chat_member& me = s.state_as<chat_member>();
    me.name = member_name(s.upgrade_request());
    me.joined = s.subscribe(room->topic());
    if (me.joined) room->join();
    s.publish(room->topic(), "* " + me.name + " joined");
  };
  chat.message = [room](socket& s, std::string_view msg, message_kind kind) {
    if (kind != message_kind::text) return;
    s.publish(room->topic(), s.state_as<chat_member>().name + ": " + std::string(msg));
  };
  chat.close = [room](socket& s, lwspp::ws::close_code, std::string_view,
                      const lwspp::close_reason&) {
    // Closed sockets leave their topics by themselves.
    const chat_member& me = s.state_as<chat_member>();
    if (!me.joined) return;
    room->leave();
    s.publish(room->topic(), "* " + me.name + " left");
  };
  app.ws("/chat", std::move(chat), {.max_message_size = 4096, .deflate = z});
  add_lws_test_protocols(app, z);
}

}  // namespace

std::string_view demo_page() noexcept {
  return page;
}

void add_demo_routes(lwspp::http::server& app, std::uint64_t max_body, bool deflate) {
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
  add_websockets(app, deflate);
}

}  // namespace lwspp_server
