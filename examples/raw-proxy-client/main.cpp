// A raw TCP client through a proxy: sends a message, prints the first reply.
//
//   raw-proxy-client proxy host:port [message]
//     proxy    http://user:pw@127.0.0.1:8888, socks5h://127.0.0.1:1080, or
//              "env": https_proxy / all_proxy / no_proxy, as curl reads them
//     message  default "hello\n"
//
// Exits 0 when a reply came back, 1 otherwise, with the reason on stderr
// ("the proxy refused the tunnel: HTTP 403 ...", "the SOCKS5 proxy could
// not connect: connection refused by destination host (reply 5); ...").
#include <cstdio>
#include <string>

#include <lwspp/lwspp.hpp>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: raw-proxy-client proxy|env host:port [message]\n");
    return 2;
  }
  const std::string via = argv[1], message = argc > 3 ? argv[3] : "hello\n";
  auto dest = lwspp::split_host_port(argv[2]);
  if (!dest) return std::fprintf(stderr, "%s\n", dest.error().message().c_str()), 2;

  // The proxy: from the URL, or from the environment (none: connect directly).
  std::optional<lwspp::proxy> p;
  if (via == "env") {
    auto found = lwspp::proxy_for(/*https=*/true, dest->host, dest->port);
    if (!found) return std::fprintf(stderr, "%s\n", found.error().message().c_str()), 2;
    p = *found;
  } else {
    auto parsed = lwspp::parse_proxy_url(via);
    if (!parsed) return std::fprintf(stderr, "%s\n", parsed.error().message().c_str()), 2;
    p = *parsed;
  }
  lwspp::connect_options opts{.connect_timeout = std::chrono::seconds(5)};
  std::string target = argv[2];
  if (p) {
    auto routed = lwspp::route_via(opts, *p, dest->host, dest->port);
    if (!routed) return std::fprintf(stderr, "%s\n", routed.error().message().c_str()), 2;
    target = *routed;
  }

  lwspp::context ctx({.level = lwspp::log_level::warn});
  bool replied = false;
  lwspp::raw::connect(ctx, target,
                      {.on_open = [&](lwspp::connection& c) { c.send(message); },
                       .on_data =
                           [&](lwspp::connection& c, std::string_view bytes) {
                             std::fwrite(bytes.data(), 1, bytes.size(), stdout);
                             replied = true;
                             c.close();  // one reply is all we wait for
                           },
                       .on_close =
                           [&](lwspp::connection&, const lwspp::close_reason& why) {
                             if (!replied)
                               std::fprintf(stderr, "raw-proxy-client: %s\n",
                                            why.message().c_str());
                             ctx.stop();
                           }},
                      opts);
  ctx.run();
  return replied ? 0 : 1;
}
