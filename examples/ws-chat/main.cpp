// A chat room with pub/sub: every member subscribes to one topic, and each
// text message is published to it — framed once, written to every member on
// whichever loop serves it. A page at "/" to try it from a browser.
//
//   ws-chat [port] [loops]             (default 8080, 2 loops)
//   python3 -m websockets ws://127.0.0.1:8080/chat   (twice, and talk)
#include <lwspp/http_server.hpp>
#include <lwspp/ws_pubsub.hpp>

#include <iostream>
#include <string>

constexpr std::string_view page = R"(<!doctype html><meta charset="utf-8"><title>ws-chat</title>
<ul id="log"></ul><form id="f"><input id="t" autofocus><button>Send</button></form>
<script>
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat');
ws.onmessage = (e) => { const li = document.createElement('li'); li.textContent = e.data; log.appendChild(li); };
f.onsubmit = (e) => { e.preventDefault(); ws.send(t.value); t.value = ''; };
</script>)";

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "8080";
  const unsigned loops = argc > 2 ? static_cast<unsigned>(std::stoul(argv[2])) : 2;
  lwspp::http::server app;  // declared before the context: it outlives it
  lwspp::context ctx({.loops = loops});
  using lwspp::ws::socket;
  app.get("/", [](lwspp::http::request&, lwspp::http::response& res) {
    res.content_type("text/html; charset=utf-8").send(page);
  });
  app.ws(
      "/chat",
      {.open = [](socket& s) { s.subscribe("room"); },
       .message =
           [](socket& s, std::string_view msg, lwspp::ws::message_kind kind) {
             if (kind == lwspp::ws::message_kind::text)
               s.publish("room", s.peer().to_string() + ": " + std::string(msg));
           }},
      {.max_message_size = 4096, .deflate = {.enabled = true, .server_no_context_takeover = true}});
  auto vh = app.listen(ctx, {.listen = "127.0.0.1:" + port});
  if (!vh) {
    std::cerr << "ws-chat: " << vh.error().message() << "\n";
    return 1;
  }
  std::cout << "chat on http://" << (*vh)->bound_address().to_string() << "/ (ws: /chat)\n";
  ctx.handle_signals();
  return ctx.run();
}
