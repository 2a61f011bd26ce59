// A WebSocket client. Lines read from stdin go out as text messages; what
// arrives is printed (text as it is, binary as its size). End of input
// closes the connection (1000).
//
//   ws-client [options] URL
//     --echo          send every message received back (text as text,
//                     binary as binary) until the peer closes; exit 0 on a
//                     clean close by the peer (1000, 1001 or none given)
//     -p PROTOCOL     offer a subprotocol (may be repeated)
//     --deflate       offer permessage-deflate
//     --max-message N the largest message accepted, in bytes (default 64 MiB)
//     --ping-interval MS  ping after MS quiet, close if nothing comes back in MS
//     --ca FILE       trust this CA (or self-signed certificate) for wss://
//     --insecure      wss:// without any certificate check (tests only)
//     --handshake-timeout MS  the opening handshake's time limit (default 10 s)
//     --abort-on TEXT abort the connection (no close frame) when TEXT arrives
//                     (tests: how a peer sees an abort)
//     --http2 MODE    off (default), negotiate (wss: ALPN h2, RFC 8441) or
//                     prior-knowledge (ws: HTTP/2 from the first byte too)
//
//   ws-client ws://127.0.0.1:8080/echo
//   ws-client --echo wss://example.com/test
#include <lwspp/ws_client.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

namespace ws = lwspp::ws;

int usage() {
  std::cerr << "usage: ws-client [--echo] [-p PROTOCOL]... [--deflate] [--max-message N]\n"
               "                 [--ping-interval MS] [--ca FILE] [--insecure]\n"
               "                 [--http2 off|negotiate|prior-knowledge] [--abort-on TEXT]\n"
               "                 [--handshake-timeout MS]\n"
               "                 ws[s]://host[:port]/path\n";
  return 2;
}

int main(int argc, char** argv) {
  ws::client_options opts;
  opts.ws.max_message_size = 64 * 1024 * 1024;
  bool echo = false;
  std::string abort_on;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "--echo") {
      echo = true;
    } else if (a == "-p" && more) {
      opts.ws.protocols.emplace_back(argv[++i]);
    } else if (a == "--deflate") {
      opts.ws.deflate.enabled = true;
    } else if (a == "--max-message" && more) {
      opts.ws.max_message_size = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--ping-interval" && more) {
      opts.ws.ping_interval = opts.ws.pong_timeout =
          std::chrono::milliseconds(std::strtoll(argv[++i], nullptr, 10));
    } else if (a == "--ca" && more) {
      opts.connect.tls = lwspp::tls_client_options{.ca_file = argv[++i]};
    } else if (a == "--insecure") {
      std::cerr << "ws-client: WARNING: --insecure: the server's certificate is NOT checked\n";
      opts.connect.tls = lwspp::tls_client_options{.insecure_skip_verify = true};
    } else if (a == "--handshake-timeout" && more) {
      opts.handshake_timeout = std::chrono::milliseconds(std::strtoll(argv[++i], nullptr, 10));
    } else if (a == "--abort-on" && more) {
      abort_on = argv[++i];
    } else if (a == "--http2" && more) {
      const std::string m = argv[++i];
      if (m == "off") {
        opts.http2 = lwspp::http::http2_mode::off;
      } else if (m == "negotiate") {
        opts.http2 = lwspp::http::http2_mode::negotiate;
      } else if (m == "prior-knowledge") {
        opts.http2 = lwspp::http::http2_mode::prior_knowledge;
      } else {
        return usage();
      }
    } else if (url.empty() && !a.starts_with("-")) {
      url = a;
    } else {
      return usage();
    }
  }
  if (url.empty()) return usage();
  // A message echoed back must fit the write queue whole.
  opts.connect.connection.write_limit =
      std::max<std::size_t>(opts.connect.connection.write_limit, 2 * opts.ws.max_message_size);

  lwspp::context ctx;
  int status = 1;
  bool reading = false;
  ws::handlers h;
  h.open = [&](ws::socket& s) {
    std::cerr << "ws-client: open" << (s.protocol().empty() ? "" : ", protocol ") << s.protocol()
              << (s.compressed() ? ", permessage-deflate" : "") << "\n";
    if (echo || reading) return;
    reading = true;
    // stdin on a thread of its own, from the open on (a line sent before
    // would find no socket): the handle posts each line to the loop.
    std::thread([c = s.handle()] {
      for (std::string line; std::getline(std::cin, line);)
        c.send(line);
      c.close();
    }).detach();
  };
  h.message = [&](ws::socket& s, std::string_view msg, ws::message_kind kind) {
    if (!abort_on.empty() && msg == abort_on) {
      s.abort();
    } else if (echo) {
      s.send(msg, kind);
    } else if (kind == ws::message_kind::text) {
      std::cout << msg << std::endl;
    } else {
      std::cout << "[binary, " << msg.size() << " bytes]" << std::endl;
    }
  };
  h.close = [&](ws::socket&, ws::close_code code, std::string_view reason,
                const lwspp::close_reason& why) {
    const auto c = static_cast<int>(code);
    std::cerr << "ws-client: closed " << c << (reason.empty() ? "" : " ") << reason << " ("
              << why.message() << ")\n";
    const bool clean_code = c == 1000 || c == 1001 || c == 1005;
    status = clean_code && (why.is(lwspp::error::peer_closed) || !echo) ? 0 : 1;
    ctx.stop();
  };
  auto client = ws::connect(ctx, url, std::move(h), std::move(opts));
  if (!client) {
    std::cerr << "ws-client: " << client.error().message() << "\n";
    return 2;
  }
  ctx.run();
  return status;
}
