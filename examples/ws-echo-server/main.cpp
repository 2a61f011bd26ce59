// A WebSocket echo server: every message comes back as it came, text as
// text and binary as binary.
//
//   ws-echo-server [port]              (default 8080)
//   python3 -m websockets ws://127.0.0.1:8080/echo
#include <lwspp/http_server.hpp>

#include <iostream>

int main(int argc, char** argv) {
  lwspp::context ctx;
  lwspp::http::server app;
  app.ws("/echo", {.message = [](lwspp::ws::socket& s, std::string_view msg,
                                 lwspp::ws::message_kind kind) { s.send(msg, kind); }});
  auto vh = app.listen(ctx, {.listen = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "8080")});
  if (!vh) {
    std::cerr << "ws-echo-server: " << vh.error().message() << "\n";
    return 1;
  }
  std::cout << "echo on ws://" << (*vh)->bound_address().to_string() << "/echo\n";
  ctx.handle_signals();
  return ctx.run();
}
