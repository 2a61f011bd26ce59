// Benchmark peer: the lwspp HTTP/1.1 server, for bench/http_run.sh, side by
// side with nginx, h2o and bench/lws_http_server.cpp.
//
//   http_hello_server PORT STATIC_DIR
//
// Listens on 127.0.0.1:PORT with one loop (one thread) and answers
//   GET /hello          200 "Hello, world!" (13 bytes, text/plain, keep-alive)
//   GET /static/<file>  <file> from STATIC_DIR
// Settings that differ from lwspp's defaults, to match the peers' configs in
// http_run.sh: idle keep-alive connections are kept 600 s (default 60 s),
// and the static mount neither compresses nor looks for .gz/.br siblings
// (nginx's gzip and gzip_static are off by default too).
//
// Built only when include/lwspp/http_server.hpp exists (bench/CMakeLists.txt).
#include <chrono>
#include <cstdio>
#include <string>

#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: http_hello_server PORT STATIC_DIR\n");
    return 2;
  }
  const std::string port = argv[1];
  const std::string dir = argv[2];

  lwspp::context ctx({.loops = 1});
  lwspp::http::server app({.keepalive_timeout = std::chrono::seconds(600)});
  app.get("/hello", [](lwspp::http::request&, lwspp::http::response& res) {
    res.send("Hello, world!");  // text/plain is the default content type
  });
  app.mount("/static", {.root = dir, .precompressed = false, .compress = false});
  auto vh = app.listen(ctx, {.listen = "127.0.0.1:" + port});
  if (!vh) {
    std::fprintf(stderr, "http_hello_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
