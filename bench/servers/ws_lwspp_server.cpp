// Benchmark peer: the lwspp WebSocket server, for bench/ws_run.sh (side by
// side with ws_lws_server, ws_beast_server and ws_python_server.py).
//
//   ws_lwspp_server PORT
//
// Listens on 127.0.0.1:PORT with one loop (one thread):
//   /echo    every message comes back as it came (text as text, binary as binary)
//   /fanout  a message from any client goes to every client connected to
//            /fanout (the sender too)
// The subprotocols "echo" and "fanout" are accepted when offered (the load
// tool offers them, because libwebsockets routes by subprotocol). Settings
// that differ from lwspp's defaults: no keep-alive pings (ping_interval 0;
// the other servers send none either). No compression (the default).
#include <cstdio>
#include <string>
#include <string_view>

#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

namespace {

// The fan-out group is a pub/sub topic: a publish is framed once and
// written to every member (docs/websocket.md, pub/sub). A member leaves it
// when it closes.
constexpr std::string_view fanout_topic = "fanout";

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ws_lwspp_server PORT\n");
    return 2;
  }
  lwspp::context ctx({.loops = 1});
  lwspp::http::server app;
  auto opts = [](std::string protocol) {
    lwspp::ws::options o;
    o.protocols = {std::move(protocol)};
    o.ping_interval = std::chrono::milliseconds(0);
    return o;
  };
  app.ws("/echo",
         {.message = [](lwspp::ws::socket& s, std::string_view msg,
                        lwspp::ws::message_kind kind) { s.send(msg, kind); }},
         opts("echo"));
  app.ws("/fanout",
         {.open = [](lwspp::ws::socket& s) { s.subscribe(fanout_topic); },
          .message = [](lwspp::ws::socket& s, std::string_view msg,
                        lwspp::ws::message_kind kind) { s.publish(fanout_topic, msg, kind); }},
         opts("fanout"));
  auto vh = app.listen(ctx, {.listen = std::string("127.0.0.1:") + argv[1]});
  if (!vh) {
    std::fprintf(stderr, "ws_lwspp_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
