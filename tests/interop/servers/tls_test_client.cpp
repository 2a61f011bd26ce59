// lwspp's TLS client for tests/interop/tls_client.sh, against `openssl
// s_server` and nginx: connects, sends a request, prints what comes back and
// why the connection closed.
//
//   tls_test_client HOST:PORT [options]
//
//   --ca FILE            trust anchors (default: the system trust store)
//   --name NAME          SNI and the name to verify (default: HOST)
//   --alpn LIST          comma-separated ALPN protocols to offer
//   --min 1.2|1.3, --max 1.2|1.3
//   --cert CRT --key KEY a client certificate
//   --insecure           no verification at all (insecure_skip_verify)
//   --send TEXT          what to send once open; "\r" and "\n" escapes are
//                        understood (default "GET / HTTP/1.0\r\nHost: NAME\r\n\r\n")
//   --count N            connect N times, one after another, in one context (so
//                        that the second and later may resume the first's session)
//   --timeout MS         connect and handshake timeouts (default 10000); a
//                        connection still open 5 s after that is aborted
//
// stdout: the bytes received. stderr, per connection:
//   tls_test_client: open version=TLSv1.3 alpn=http/1.1 resumed=0 peer_cn=localhost peer_verified=1
//   tls_test_client: closed: <close_reason::message()> [code=<category>:<value> alert=<n>]
// Exit 0 when every connection finished its handshake and received bytes, else 1.
#include <lwspp/lwspp.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "tls_test_client: %s\n"
               "usage: tls_test_client HOST:PORT [--ca FILE] [--name NAME] [--alpn LIST] "
               "[--min 1.2|1.3] [--max 1.2|1.3] [--cert CRT --key KEY] [--insecure] "
               "[--send TEXT] [--count N] [--timeout MS]\n",
               why.c_str());
  std::exit(2);
}

lwspp::tls_version parse_version(const std::string& v) {
  if (v == "1.2") return lwspp::tls_version::tls1_2;
  if (v == "1.3") return lwspp::tls_version::tls1_3;
  usage("bad TLS version '" + v + "'");
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'r' || s[i + 1] == 'n')) {
      out += s[++i] == 'r' ? '\r' : '\n';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(',', start), s.size());
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct settings {
  std::string target;
  lwspp::tls_client_options tls;
  std::string send;
  int count = 1;
  std::chrono::milliseconds timeout{10000};
};

settings parse(int argc, char** argv) {
  settings s;
  bool have_send = false;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ca") {
      s.tls.ca_file = value(i);
    } else if (a == "--name") {
      s.tls.server_name = value(i);
    } else if (a == "--alpn") {
      s.tls.alpn = split_commas(value(i));
    } else if (a == "--min") {
      s.tls.min_version = parse_version(value(i));
    } else if (a == "--max") {
      s.tls.max_version = parse_version(value(i));
    } else if (a == "--cert") {
      s.tls.certificate.cert_file = value(i);
    } else if (a == "--key") {
      s.tls.certificate.key_file = value(i);
    } else if (a == "--insecure") {
      s.tls.insecure_skip_verify = true;
    } else if (a == "--send") {
      s.send = unescape(value(i));
      have_send = true;
    } else if (a == "--count") {
      s.count = std::atoi(value(i).c_str());
    } else if (a == "--timeout") {
      s.timeout = std::chrono::milliseconds(std::atol(value(i).c_str()));
    } else if (!a.empty() && a[0] == '-') {
      usage("unknown argument '" + a + "'");
    } else if (s.target.empty()) {
      s.target = a;
    } else {
      usage("one target only");
    }
  }
  if (s.target.empty()) usage("no target");
  if (s.count < 1) usage("--count must be at least 1");
  if (!have_send) {
    std::string host = s.tls.server_name;
    if (host.empty()) host = s.target.substr(0, s.target.rfind(':'));
    s.send = "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  }
  return s;
}

std::string code_text(const lwspp::close_reason& why) {
  return std::string(why.code.category().name()) + ":" + std::to_string(why.code.value());
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse(argc, argv);
  lwspp::context ctx({.level = lwspp::log_level::warn});

  int good = 0;
  int started = 0;
  bool opened = false;
  bool received = false;
  lwspp::connection_handle conn;
  lwspp::timer give_up(ctx.get_loop());
  std::function<void()> next;

  lwspp::raw::handlers h;
  h.on_open = [&](lwspp::connection& c) {
    opened = true;
    const lwspp::tls_peer_identity peer = c.tls_peer();
    std::fprintf(stderr,
                 "tls_test_client: open version=%s alpn=%s resumed=%d peer_cn=%s "
                 "peer_verified=%d\n",
                 std::string(c.tls_version()).c_str(), std::string(c.tls_alpn()).c_str(),
                 c.tls_resumed() ? 1 : 0, peer.common_name.c_str(), peer.verified ? 1 : 0);
    if (!s.send.empty()) c.send(s.send);
  };
  h.on_data = [&](lwspp::connection&, std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
    received = true;
  };
  h.on_close = [&](lwspp::connection&, const lwspp::close_reason& why) {
    give_up.cancel();
    std::string extra = " [code=" + code_text(why);
    if (why.protocol_code != 0) extra += " alert=" + std::to_string(why.protocol_code);
    extra += "]";
    std::fprintf(stderr, "tls_test_client: closed: %s%s\n", why.message().c_str(), extra.c_str());
    if (opened && received) ++good;
    // The next connection starts from the loop, after this one is gone.
    ctx.get_loop().defer([&] { next(); });
  };

  lwspp::connect_options opts;
  opts.tls = s.tls;
  opts.connect_timeout = s.timeout;
  opts.tls_handshake_timeout = s.timeout;

  give_up.set_callback([&] {
    std::fprintf(stderr, "tls_test_client: no end within %lld ms: aborting\n",
                 static_cast<long long>(s.timeout.count()) + 5000);
    conn.abort();
  });
  next = [&] {
    if (started == s.count) return ctx.stop();
    ++started;
    opened = false;
    received = false;
    conn = lwspp::raw::connect(ctx, s.target, h, opts);
    // Past the connect and handshake timeouts, so that those report first.
    give_up.arm(s.timeout + std::chrono::seconds(5));
  };
  ctx.get_loop().post([&] { next(); });
  ctx.run();
  return good == s.count ? 0 : 1;
}
