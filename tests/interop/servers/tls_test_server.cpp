// The HTTPS server under test for tests/interop/tls_*.sh: `openssl s_client`,
// curl and Python's ssl module talk to it.
//
//   tls_test_server --port-file FILE --cert CRT --key KEY [options]
//
//   --cert CRT --key KEY      the default vhost ("a"): it serves every SNI name
//                             the others do not (or rejects them: --unknown-name)
//   --vhost NAME CRT KEY      one more vhost on the same port, chosen by SNI NAME;
//                             its label in /info is NAME (repeatable)
//   --min 1.2|1.3, --max 1.2|1.3      protocol versions (default 1.2 .. 1.3)
//   --client-auth none|optional|required, --client-ca FILE   mTLS
//   --alpn LIST               comma-separated ALPN protocols, in preference order
//   --plaintext error|redirect|close  what plaintext HTTP to the port gets
//   --unknown-name default|reject     an SNI name no vhost serves
//   --no-tickets              no session tickets (every handshake is full)
//   --handshake-timeout MS    (default 10000)
//   --echo                    also a raw TLS echo vhost (same certificate and
//                             settings) on a port of its own; it logs why each
//                             connection closed: "tls_test_server: echo
//                             connection closed: <reason> [code=<category>:<n>]"
//   --docroot DIR             serve DIR under /static/ on every vhost
//   --verbose                 log at info (handshake failures with their reason)
//
// Every vhost listens on 127.0.0.1:0, all on one port. FILE gets the HTTPS
// port on its first line and, with --echo, the echo port on the second
// (written to FILE.tmp, then renamed). All vhosts get the same settings
// except their certificate. They serve:
//
//   GET /hello   200 "Hello, world!"
//   GET /info    what the handshake of this connection gave, one key=value a line:
//                vhost, sni, alpn, version, cipher, resumed (0/1), client_cn,
//                client_subject, client_verified (0/1)
//   GET /stats   "handshakes=H failures=F reloads=R reload_errors=E\n" over all vhosts
//   POST /echo   the request body back (up to 64 MiB)
//   /static/*    DOCROOT, with --docroot
//
// SIGHUP reloads the certificate, key and CA files of every TLS vhost
// (vhost::reload_tls) and logs "tls_test_server: reload N: ok" or
// "tls_test_server: reload N: failed: <reason>" on stderr. SIGTERM/SIGINT stop
// it gracefully.
#include <lwspp/http_server.hpp>
#include <lwspp/lwspp.hpp>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using lwspp::http::request;
using lwspp::http::response;

struct extra_vhost {
  std::string name, cert, key;
};

struct settings {
  std::string port_file, cert, key, docroot;
  std::vector<extra_vhost> more;
  lwspp::tls_server_options tls;
  lwspp::tls_plaintext_http plaintext = lwspp::tls_plaintext_http::error_page;
  std::chrono::milliseconds handshake_timeout{10000};
  bool echo = false;
  bool verbose = false;
};

std::atomic<unsigned> reloads{0};
std::atomic<unsigned> reload_errors{0};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "tls_test_server: %s\n"
               "usage: tls_test_server --port-file FILE --cert CRT --key KEY [--vhost NAME CRT "
               "KEY]... [--min 1.2|1.3] [--max 1.2|1.3] [--client-auth none|optional|required] "
               "[--client-ca FILE] [--alpn LIST] [--plaintext error|redirect|close] "
               "[--unknown-name default|reject] [--no-tickets] [--handshake-timeout MS] [--echo] "
               "[--docroot DIR] [--verbose]\n",
               why.c_str());
  std::exit(2);
}

lwspp::tls_version parse_version(const std::string& v) {
  if (v == "1.2") return lwspp::tls_version::tls1_2;
  if (v == "1.3") return lwspp::tls_version::tls1_3;
  usage("bad TLS version '" + v + "'");
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

settings parse(int argc, char** argv) {
  settings s;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port-file") {
      s.port_file = value(i);
    } else if (a == "--cert") {
      s.cert = value(i);
    } else if (a == "--key") {
      s.key = value(i);
    } else if (a == "--vhost") {
      extra_vhost v;
      v.name = value(i);
      v.cert = value(i);
      v.key = value(i);
      s.more.push_back(std::move(v));
    } else if (a == "--min") {
      s.tls.min_version = parse_version(value(i));
    } else if (a == "--max") {
      s.tls.max_version = parse_version(value(i));
    } else if (a == "--client-auth") {
      const std::string v = value(i);
      if (v == "none") {
        s.tls.client_auth = lwspp::tls_client_auth::none;
      } else if (v == "optional") {
        s.tls.client_auth = lwspp::tls_client_auth::optional;
      } else if (v == "required") {
        s.tls.client_auth = lwspp::tls_client_auth::required;
      } else {
        usage("bad --client-auth '" + v + "'");
      }
    } else if (a == "--client-ca") {
      s.tls.client_ca_file = value(i);
    } else if (a == "--alpn") {
      s.tls.alpn = split_commas(value(i));
    } else if (a == "--plaintext") {
      const std::string v = value(i);
      if (v == "error") {
        s.plaintext = lwspp::tls_plaintext_http::error_page;
      } else if (v == "redirect") {
        s.plaintext = lwspp::tls_plaintext_http::redirect_https;
      } else if (v == "close") {
        s.plaintext = lwspp::tls_plaintext_http::close;
      } else {
        usage("bad --plaintext '" + v + "'");
      }
    } else if (a == "--unknown-name") {
      const std::string v = value(i);
      if (v != "default" && v != "reject") usage("bad --unknown-name '" + v + "'");
      s.tls.unknown_name =
          v == "reject" ? lwspp::tls_unknown_name::reject : lwspp::tls_unknown_name::use_default;
    } else if (a == "--no-tickets") {
      s.tls.session_tickets = false;
    } else if (a == "--handshake-timeout") {
      s.handshake_timeout = std::chrono::milliseconds(std::stol(value(i)));
    } else if (a == "--docroot") {
      s.docroot = value(i);
    } else if (a == "--echo") {
      s.echo = true;
    } else if (a == "--verbose") {
      s.verbose = true;
    } else {
      usage("unknown argument '" + a + "'");
    }
  }
  if (s.port_file.empty() || s.cert.empty() || s.key.empty())
    usage("--port-file, --cert and --key are required");
  return s;
}

// One HTTP app per vhost, so that /info can say which vhost SNI chose.
std::unique_ptr<lwspp::http::server> make_app(const std::string& label, const settings& s,
                                              lwspp::context& ctx) {
  auto app = std::make_unique<lwspp::http::server>();
  app->get("/hello", [](request&, response& res) { res.send("Hello, world!"); });
  app->route(lwspp::http::method::post, "/echo",
             {.on_request = [](request& req, response& res) { res.send(req.body()); },
              .max_body = std::uint64_t{64} << 20});
  if (!s.docroot.empty()) app->mount("/static", {.root = s.docroot});
  app->get("/info", [label](request& req, response& res) {
    const lwspp::connection& c = req.conn();
    const lwspp::tls_peer_identity peer = c.tls_peer();
    std::string out;
    out += "vhost=" + label + "\n";
    out += "sni=" + std::string(c.tls_server_name()) + "\n";
    out += "alpn=" + std::string(c.tls_alpn()) + "\n";
    out += "version=" + std::string(c.tls_version()) + "\n";
    out += "cipher=" + std::string(c.tls_cipher()) + "\n";
    out += std::string("resumed=") + (c.tls_resumed() ? "1" : "0") + "\n";
    out += "client_cn=" + peer.common_name + "\n";
    out += "client_subject=" + peer.subject + "\n";
    out += std::string("client_verified=") + (peer.verified ? "1" : "0") + "\n";
    res.content_type("text/plain; charset=utf-8");
    res.send(out);
  });
  app->get("/stats", [&ctx](request&, response& res) {
    std::uint64_t handshakes = 0;
    std::uint64_t failures = 0;
    for (const auto& vh : ctx.vhosts()) {
      handshakes += vh->tls_handshakes();
      failures += vh->tls_handshake_failures();
    }
    res.send("handshakes=" + std::to_string(handshakes) + " failures=" + std::to_string(failures) +
             " reloads=" + std::to_string(reloads.load()) +
             " reload_errors=" + std::to_string(reload_errors.load()) + "\n");
  });
  return app;
}

// SIGHUP arrives here (it is blocked in every other thread): reload every TLS vhost.
void reload_on_sighup(lwspp::context& ctx, const std::atomic<bool>& done) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int signo = 0;
    if (sigwait(&set, &signo) != 0 || done.load()) return;
    const unsigned n = reloads.load() + 1;
    std::string errors;
    for (const auto& vh : ctx.vhosts()) {
      if (!vh->is_tls()) continue;
      if (auto r = vh->reload_tls(); !r)
        errors += (errors.empty() ? "" : "; ") + vh->name() + ": " + r.error().message();
    }
    if (!errors.empty()) reload_errors.fetch_add(1);
    reloads.store(n);  // after the error count: a reader that sees n sees its outcome
    if (errors.empty()) {
      std::fprintf(stderr, "tls_test_server: reload %u: ok\n", n);
    } else {
      std::fprintf(stderr, "tls_test_server: reload %u: failed: %s\n", n, errors.c_str());
    }
  }
}

bool write_port_file(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  return f && std::fputs(content.c_str(), f) >= 0 && std::fclose(f) == 0 &&
         std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse(argc, argv);

  // Blocked before any thread starts, so only the reload thread receives it.
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &hup, nullptr);

  lwspp::context ctx(
      {.loops = 2, .level = s.verbose ? lwspp::log_level::info : lwspp::log_level::warn});
  std::list<std::unique_ptr<lwspp::http::server>> apps;

  auto options = [&](const std::string& name, const std::string& cert, const std::string& key) {
    lwspp::vhost_options o{.name = name, .listen = "127.0.0.1:0"};
    o.tls = s.tls;
    o.tls->certificates = {{.cert_file = cert, .key_file = key}};
    o.tls_handshake_timeout = s.handshake_timeout;
    o.plaintext_http = s.plaintext;
    return o;
  };

  apps.push_back(make_app("a", s, ctx));
  auto first = apps.back()->listen(ctx, options("a", s.cert, s.key));
  if (!first) {
    std::fprintf(stderr, "tls_test_server: %s\n", first.error().message().c_str());
    return 1;
  }
  const std::string port = std::to_string((*first)->bound_address().port());
  for (const extra_vhost& v : s.more) {
    apps.push_back(make_app(v.name, s, ctx));
    lwspp::vhost_options o = options(v.name, v.cert, v.key);
    o.listen = "127.0.0.1:" + port;  // joins the port of "a"; SNI picks it
    o.server_names = {v.name};
    auto vh = apps.back()->listen(ctx, std::move(o));
    if (!vh) {
      std::fprintf(stderr, "tls_test_server: vhost %s: %s\n", v.name.c_str(),
                   vh.error().message().c_str());
      return 1;
    }
  }
  std::string ports = port + "\n";
  if (s.echo) {
    lwspp::vhost_options o = options("echo", s.cert, s.key);
    auto vh = lwspp::raw::listen(
        ctx, std::move(o),
        {.on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); },
         .on_close =
             [](lwspp::connection&, const lwspp::close_reason& why) {
               std::fprintf(stderr, "tls_test_server: echo connection closed: %s [code=%s:%d]\n",
                            why.message().c_str(), why.code.category().name(), why.code.value());
             }});
    if (!vh) {
      std::fprintf(stderr, "tls_test_server: echo: %s\n", vh.error().message().c_str());
      return 1;
    }
    ports += std::to_string((*vh)->bound_address().port()) + "\n";
  }

  if (!write_port_file(s.port_file, ports)) {
    std::perror("tls_test_server: writing the port file");
    return 1;
  }
  std::fprintf(stderr, "tls_test_server: listening on 127.0.0.1:%s\n", port.c_str());

  std::atomic<bool> done{false};
  std::thread reloader(reload_on_sighup, std::ref(ctx), std::cref(done));
  ctx.handle_signals();
  const int rc = ctx.run();
  done.store(true);
  pthread_kill(reloader.native_handle(), SIGHUP);
  reloader.join();
  return rc;
}
