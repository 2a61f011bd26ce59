// A WebSocket over HTTP/2 (RFC 8441): sends one message, prints the answer
// and closes. wss:// offers "h2" by ALPN; ws:// speaks HTTP/2 from the first
// byte (prior knowledge). A server whose SETTINGS do not enable extended
// CONNECT gets an HTTP/1.1 Upgrade instead, on a new connection.
//
//   ws-h2-client ws://127.0.0.1:8080/echo [MESSAGE]
#include <lwspp/ws_client.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: ws-h2-client URL [MESSAGE]\n"), 2;
  const std::string text = argc > 2 ? argv[2] : "hello over HTTP/2";
  lwspp::context ctx;
  int status = 1;
  auto c = lwspp::ws::connect(
      ctx, argv[1],
      {.open = [&](lwspp::ws::socket& s) { s.send(text); },
       .message =
           [&](lwspp::ws::socket& s, std::string_view m, lwspp::ws::message_kind) {
             std::printf("%.*s\n", static_cast<int>(m.size()), m.data());
             status = 0;
             s.close();
           },
       .close =
           [&](lwspp::ws::socket&, lwspp::ws::close_code, std::string_view,
               const lwspp::close_reason& why) {
             if (status != 0) std::fprintf(stderr, "ws-h2-client: %s\n", why.message().c_str());
             ctx.stop();
           }},
      {.http2 = lwspp::http::http2_mode::prior_knowledge});
  if (!c) return std::fprintf(stderr, "ws-h2-client: %s\n", c.error().message().c_str()), 2;
  ctx.run();
  return status;
}
