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
#include <vector>

#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

namespace {

// The members of /fanout. The server has one loop, so plain socket pointers
// are safe: every handler runs on that loop's thread, and a socket leaves in
// its close handler, before it is gone.
//
// This is the one place that changes when lwspp's pub/sub lands: join
// becomes subscribe("fanout"), leave goes away, and publish becomes the
// context's publish("fanout", ...), which frames the message once.
class fanout_group {
 public:
  void join(lwspp::ws::socket& s) {
    s.state_as<member>().index = members_.size();
    members_.push_back(&s);
  }
  void leave(lwspp::ws::socket& s) {
    // Swap-remove: O(1), order does not matter.
    const std::size_t i = s.state_as<member>().index;
    members_[i] = members_.back();
    members_[i]->state_as<member>().index = i;
    members_.pop_back();
  }
  void publish(std::string_view msg, lwspp::ws::message_kind kind) {
    for (lwspp::ws::socket* s : members_)
      s->send(msg, kind);
  }

 private:
  struct member {
    std::size_t index = 0;
  };
  std::vector<lwspp::ws::socket*> members_;
};

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
  fanout_group fanout;
  app.ws("/fanout",
         {.open = [&](lwspp::ws::socket& s) { fanout.join(s); },
          .message = [&](lwspp::ws::socket&, std::string_view msg,
                         lwspp::ws::message_kind kind) { fanout.publish(msg, kind); },
          .close = [&](lwspp::ws::socket& s, lwspp::ws::close_code, std::string_view,
                       const lwspp::close_reason&) { fanout.leave(s); }},
         opts("fanout"));
  auto vh = app.listen(ctx, {.listen = std::string("127.0.0.1:") + argv[1]});
  if (!vh) {
    std::fprintf(stderr, "ws_lwspp_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
