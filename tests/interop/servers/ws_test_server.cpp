// The WebSocket server under test for tests/interop/ws_*.sh: python3
// websockets, Node's ws and Chromium talk to it.
//
//   ws_test_server PORT_FILE DIR
//
// Serves the same routes on two vhosts, ws:// and wss:// (a self-signed
// certificate for localhost and 127.0.0.1 made in DIR), both on 127.0.0.1:0;
// PORT_FILE gets the ws port on its first line and the wss port on its
// second (written to PORT_FILE.tmp, then renamed). DIR/www must exist. Routes:
//
//   /echo          every message back as it came (up to 32 MiB); control
//                  messages, text only:
//                    "!close CODE REASON"   the server closes with CODE, REASON
//                    "!ping PAYLOAD"        the server pings; the pong is
//                                           reported as "pong: PAYLOAD"
//                    "!fragments N"         N pieces sent with send_fragment
//                    "!info"                "protocol=P compressed=0|1"
//                    "!http"                "version=V peer=IP": the HTTP version of
//                                           the handshake (11, or 20 over HTTP/2,
//                                           RFC 8441) and the client's address
//   /echo-deflate  the same, with permessage-deflate (full windows)
//   /proto         the same, subprotocols "chat.v2", "chat.v1" (ours in that order)
//   /stream        streaming receive: each message answered "N bytes in K pieces"
//   /              DIR/www (static files)
//
// Every close is logged on stderr: "ws_test_server: closed code=C
// reason='R' why='W'". SIGTERM/SIGINT stop it gracefully.
#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace {

using lwspp::ws::close_code;
using lwspp::ws::message_kind;
using lwspp::ws::socket;

// What the handshake said, kept from handlers::open for "!http".
struct handshake_seen {
  int version = 0;
};

void on_message(socket& s, std::string_view msg, message_kind kind) {
  if (kind == message_kind::text && msg.starts_with("!")) {
    if (msg.starts_with("!close ")) {
      std::string_view rest = msg.substr(7);
      const std::size_t sp = rest.find(' ');
      const int code = std::atoi(std::string(rest.substr(0, sp)).c_str());
      s.close(static_cast<close_code>(code),
              sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1));
      return;
    }
    if (msg.starts_with("!ping ")) {
      s.ping(msg.substr(6));
      return;
    }
    if (msg.starts_with("!fragments ")) {
      const int n = std::atoi(std::string(msg.substr(11)).c_str());
      for (int i = 0; i < n; ++i)
        s.send_fragment("piece " + std::to_string(i) + ";", message_kind::text, i == n - 1);
      return;
    }
    if (msg == "!http") {
      s.send("version=" + std::to_string(s.state_as<handshake_seen>().version) +
             " peer=" + s.peer().to_string());
      return;
    }
    if (msg == "!info") {
      s.send("protocol=" + std::string(s.protocol()) +
             " compressed=" + (s.compressed() ? "1" : "0"));
      return;
    }
  }
  s.send(msg, kind);
}

lwspp::ws::handlers echo_handlers() {
  lwspp::ws::handlers h;
  h.message = on_message;
  h.open = [](socket& s) {
    if (const lwspp::http::request* r = s.upgrade_request())
      s.state_as<handshake_seen>().version = r->version();
  };
  h.pong = [](socket& s, std::string_view p) { s.send("pong: " + std::string(p)); };
  h.close = [](socket&, close_code code, std::string_view reason, const lwspp::close_reason& why) {
    std::fprintf(stderr, "ws_test_server: closed code=%d reason='%.*s' why='%s'\n",
                 static_cast<int>(code), static_cast<int>(reason.size()), reason.data(),
                 why.message().c_str());
  };
  return h;
}

struct stream_count {
  std::size_t bytes = 0;
  std::size_t pieces = 0;
};

void add_routes(lwspp::http::server& app, const std::string& dir) {
  const lwspp::ws::options big{.max_message_size = 32 << 20};
  app.ws("/echo", echo_handlers(), big);
  lwspp::ws::options deflate = big;
  deflate.deflate.enabled = true;
  app.ws("/echo-deflate", echo_handlers(), deflate);
  lwspp::ws::options proto = big;
  proto.protocols = {"chat.v2", "chat.v1"};
  app.ws("/proto", echo_handlers(), proto);
  lwspp::ws::handlers stream = echo_handlers();
  stream.message = {};
  stream.open = {};  // its state is a stream_count ("!http" is not served here)
  stream.fragment = [](socket& s, const lwspp::ws::message_piece& p) {
    stream_count& c = s.state_as<stream_count>();
    if (p.first) c = {};
    c.bytes += p.data.size();
    ++c.pieces;
    if (p.last)
      s.send(std::to_string(c.bytes) + " bytes in " + std::to_string(c.pieces) + " pieces");
  };
  app.ws("/stream", std::move(stream), big);
  app.mount("/", {.root = dir + "/www"});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: ws_test_server PORT_FILE DIR\n";
    return 2;
  }
  const std::string port_file = argv[1];
  const std::string dir = argv[2];
  const std::string cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  if (auto made = lwspp::tls::make_self_signed(cert, key); !made) {
    std::cerr << "ws_test_server: " << made.error().message() << "\n";
    return 1;
  }
  // Declared before the context: the servers outlive their vhosts.
  lwspp::http::server plain;
  lwspp::http::server secure;
  add_routes(plain, dir);
  add_routes(secure, dir);
  lwspp::context ctx;
  lwspp::vhost_options o{.name = "ws", .listen = "127.0.0.1:0"};
  // A 32 MiB message must fit the write queue whole.
  o.connection.write_limit = 64 << 20;
  auto ws = plain.listen(ctx, o);
  o.name = "wss";
  o.tls = lwspp::tls_server_options{.certificates = {{.cert_file = cert, .key_file = key}}};
  auto wss = secure.listen(ctx, o);
  if (!ws || !wss) {
    std::cerr << "ws_test_server: " << (ws ? wss.error() : ws.error()).message() << "\n";
    return 1;
  }
  {
    std::ofstream f(port_file + ".tmp");
    f << (*ws)->bound_address().port() << "\n" << (*wss)->bound_address().port() << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  ctx.handle_signals();
  return ctx.run();
}
