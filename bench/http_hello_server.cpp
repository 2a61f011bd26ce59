// Benchmark peer: the lwspp HTTP/1.1 server, for bench/http_run.sh (side by
// side with nginx, h2o and bench/lws_http_server.cpp) and, with --cert and
// --key, over TLS for bench/tls_run.sh (side by side with nginx).
//
//   http_hello_server PORT STATIC_DIR [--cert FILE --key FILE [--tls13-only]
//                                      [--no-session-tickets] [--h2]]
//
// Listens on 127.0.0.1:PORT with one loop (one thread) and answers
//   GET /hello          200 "Hello, world!" (13 bytes, text/plain, keep-alive)
//   GET /static/<file>  <file> from STATIC_DIR
// Settings that differ from lwspp's defaults, to match the peers' configs in
// the scripts: idle keep-alive connections are kept 600 s (default 60 s),
// and the static mount neither compresses nor looks for .gz/.br siblings
// (nginx's gzip and gzip_static are off by default too).
// With --cert/--key the port speaks only https (PEM certificate chain and
// key; ALPN http/1.1, or with --h2 "h2" first, for bench/h2_run.sh).
// --tls13-only sets the minimum version to TLS 1.3; --no-session-tickets
// turns resumption off, so every handshake is full. Cleartext ports take
// HTTP/2 with prior knowledge as every lwspp HTTP server does.
//
// Built only when include/lwspp/http_server.hpp exists (bench/CMakeLists.txt).
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  const auto usage = [] {
    std::fprintf(stderr,
                 "usage: http_hello_server PORT STATIC_DIR [--cert FILE --key FILE "
                 "[--tls13-only] [--no-session-tickets] [--h2]]\n");
    return 2;
  };
  if (argc < 3) return usage();
  const std::string port = argv[1];
  const std::string dir = argv[2];
  std::string cert, key;
  bool tls13_only = false;
  bool tickets = true;
  bool h2 = false;
  for (int i = 3; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--cert" && i + 1 < argc) {
      cert = argv[++i];
    } else if (a == "--key" && i + 1 < argc) {
      key = argv[++i];
    } else if (a == "--tls13-only") {
      tls13_only = true;
    } else if (a == "--no-session-tickets") {
      tickets = false;
    } else if (a == "--h2") {
      h2 = true;
    } else {
      return usage();
    }
  }
  if (cert.empty() != key.empty()) return usage();

  lwspp::context ctx({.loops = 1});
  lwspp::http::server app({.keepalive_timeout = std::chrono::seconds(600)});
  app.get("/hello", [](lwspp::http::request&, lwspp::http::response& res) {
    res.send("Hello, world!");  // text/plain is the default content type
  });
  app.mount("/static", {.root = dir, .precompressed = false, .compress = false});
  std::optional<lwspp::tls_server_options> tls;
  if (!cert.empty()) {
    tls = lwspp::tls_server_options{
        .certificates = {{.cert_file = cert, .key_file = key}},
        .alpn =
            h2 ? std::vector<std::string>{"h2", "http/1.1"} : std::vector<std::string>{"http/1.1"},
        .min_version = tls13_only ? lwspp::tls_version::tls1_3 : lwspp::tls_version::tls1_2,
        .session_tickets = tickets};
  }
  auto vh = app.listen(ctx, {.listen = "127.0.0.1:" + port, .tls = std::move(tls)});
  if (!vh) {
    std::fprintf(stderr, "http_hello_server: %s\n", vh.error().message().c_str());
    return 1;
  }
  ctx.handle_signals();
  return ctx.run();
}
