// lwspp's TLS sessions against an independent implementation: the openssl
// command-line tool. s_client talks to our server session (handshake, TLS
// 1.2 and 1.3, SNI with two vhosts, ALPN, client certificates, resumption
// with -sess_out/-sess_in); our client session talks to s_server (good
// chain, expired, wrong host, self-signed, unknown CA). Each test skips
// when the tool is missing (scripts/install-deps test installs it).
#include <gmock/gmock.h>

#include <thread>

#include "../unit/tls/tls_test_support.hpp"
#include "tls_peer.hpp"

namespace {

using namespace tls_test;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

bool have_openssl() {
  return std::system("command -v openssl >/dev/null 2>&1") == 0;
}

struct TlsOpensslCli : ::testing::Test {
  temp_dir dir;
  std::string ca, localhost_cert, localhost_key, a_cert, a_key, alice_cert, alice_key;

  void SetUp() override {
    if (!have_openssl()) GTEST_SKIP() << "openssl tool not found";
    const pki& k = test_pki();
    ca = dir.write("ca.pem", k.ca.cert_pem);
    localhost_cert = dir.write("localhost.pem", k.localhost_ec.cert_pem);
    localhost_key = dir.write("localhost.key", k.localhost_ec.key_pem);
    a_cert = dir.write("a.pem", k.a_example.cert_pem);
    a_key = dir.write("a.key", k.a_example.key_pem);
    alice_cert = dir.write("alice.pem", k.alice.cert_pem);
    alice_key = dir.write("alice.key", k.alice.key_pem);
  }

  // Serves one s_client connection: reads "ping\n", answers "pong\n",
  // sends close_notify. Returns s_client's output; `s` is the server session.
  std::string serve_one(const lwspp::tls::sni_selector& sel, std::vector<std::string> args,
                        std::unique_ptr<lwspp::tls::session>& s, tls_peer::outcome& o) {
    std::uint16_t port = 0;
    const int lfd = tls_peer::listen_any(port);
    EXPECT_GE(lfd, 0);
    std::vector<std::string> cmd = {"openssl",
                                    "s_client",
                                    "-connect",
                                    "127.0.0.1:" + std::to_string(port),
                                    "-CAfile",
                                    ca,
                                    "-verify_return_error",
                                    "-ign_eof"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    tls_peer::child c = tls_peer::child::spawn(cmd);
    c.send("ping\n");
    const int fd = tls_peer::accept_within(lfd, seconds(10));
    ::close(lfd);
    EXPECT_GE(fd, 0);
    if (fd < 0) return c.finish();
    s = sel.new_session();
    bool answered = false;
    o = tls_peer::run(*s, fd, [&](const tls_peer::outcome& got) {
      if (!answered && got.data == "ping\n") {
        answered = true;
        s->write("pong\n");
        s->close();
      }
      return got.closed || got.eof;
    });
    ::close(fd);
    return c.finish();
  }

  // Starts s_server with `cert`/`key` and connects our client to it as `name`.
  tls_peer::outcome connect_to_s_server(const pem_pair& cert, const std::string& name,
                                        std::unique_ptr<lwspp::tls::session>& s,
                                        std::string& server_output) {
    const std::string c = dir.write("srv.pem", cert.cert_pem),
                      k = dir.write("srv.key", cert.key_pem);
    std::uint16_t port = 0;
    const int probe = tls_peer::listen_any(port);  // a free port, released for s_server
    ::close(probe);
    tls_peer::child srv = tls_peer::child::spawn(
        {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert", c, "-key",
         k, "-naccept", "1", "-rev", "-alpn", "h2"});
    EXPECT_TRUE(srv.read_until(server_output, "ACCEPT")) << server_output;
    const int fd = tls_peer::dial(port);
    EXPECT_GE(fd, 0);
    auto cc = client({.ca_file = ca, .alpn = {"h2", "http/1.1"}});
    s = client_session(*cc, name);
    tls_peer::outcome o;
    if (fd < 0 || !s) return o;
    bool sent = false;
    o = tls_peer::run(*s, fd, [&](const tls_peer::outcome& got) {
      if (got.handshake_done && !sent) {
        sent = true;
        s->write("hello\n");
      }
      return got.data.find("olleh") != std::string::npos;
    });
    s->close();
    tls_peer::flush(*s, fd);
    ::close(fd);
    server_output = srv.finish(server_output);
    return o;
  }
};

TEST_F(TlsOpensslCli, SClientTls13AlpnSni) {
  auto so = localhost_server();
  so.alpn = {"h2", "http/1.1"};
  auto sel = one_vhost(so);
  std::unique_ptr<lwspp::tls::session> s;
  tls_peer::outcome o;
  const std::string out =
      serve_one(*sel, {"-servername", "localhost", "-alpn", "http/1.1,h2", "-tls1_3"}, s, o);
  EXPECT_TRUE(o.handshake_done);
  EXPECT_EQ(o.data, "ping\n");
  EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)"));
  EXPECT_THAT(out, HasSubstr("ALPN protocol: h2"));
  EXPECT_THAT(out, HasSubstr("pong"));
  EXPECT_EQ(s->version(), "TLSv1.3");
  EXPECT_EQ(s->alpn(), "h2");
  EXPECT_EQ(s->server_name(), "localhost");
}

TEST_F(TlsOpensslCli, SClientTls12Only) {
  auto sel = one_vhost(localhost_server());
  std::unique_ptr<lwspp::tls::session> s;
  tls_peer::outcome o;
  const std::string out = serve_one(*sel, {"-servername", "localhost", "-tls1_2"}, s, o);
  EXPECT_EQ(o.data, "ping\n");
  EXPECT_THAT(out, HasSubstr("Protocol  : TLSv1.2"));
  EXPECT_THAT(out, HasSubstr("pong"));
  EXPECT_EQ(s->version(), "TLSv1.2");
}

TEST_F(TlsOpensslCli, SClientSniTwoVhosts) {
  std::vector<lwspp::tls::sni_entry> e;
  e.push_back({.names = {"localhost"},
               .context = server(
                   {.certificates = {{.cert_file = localhost_cert, .key_file = localhost_key}}})});
  e.push_back({.names = {"a.example.com"},
               .context = server({.certificates = {{.cert_file = a_cert, .key_file = a_key}}})});
  auto sel = lwspp::tls::sni_selector::create(std::move(e)).value();
  for (const char* name : {"a.example.com", "localhost"}) {
    std::unique_ptr<lwspp::tls::session> s;
    tls_peer::outcome o;
    const std::string out = serve_one(*sel, {"-servername", name, "-verify_hostname", name}, s, o);
    EXPECT_EQ(o.data, "ping\n") << name;
    EXPECT_THAT(out, HasSubstr(std::string("subject=CN = ") + name));
    EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)"));
    EXPECT_EQ(s->selected_entry(), std::string_view(name) == "localhost" ? 0u : 1u);
  }
}

TEST_F(TlsOpensslCli, SClientClientCertificates) {
  auto so = localhost_server();
  so.client_auth = lwspp::tls_client_auth::required;
  so.client_ca_file = ca;
  auto sel = one_vhost(so);
  {
    std::unique_ptr<lwspp::tls::session> s;
    tls_peer::outcome o;
    serve_one(*sel, {"-cert", alice_cert, "-key", alice_key}, s, o);
    EXPECT_EQ(o.data, "ping\n");
    EXPECT_EQ(s->peer_identity().common_name, "alice");
    EXPECT_TRUE(s->peer_identity().verified);
  }
  {
    std::unique_ptr<lwspp::tls::session> s;
    tls_peer::outcome o;
    const std::string out = serve_one(*sel, {}, s, o);
    EXPECT_TRUE(o.failed);
    EXPECT_EQ(s->failure().detail, "peer did not return a certificate");
    EXPECT_THAT(out, HasSubstr("certificate required"));
  }
}

TEST_F(TlsOpensslCli, SClientResumption) {
  auto sel = one_vhost(localhost_server());
  const std::string sess = dir.file("session.pem");
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<lwspp::tls::session> s;
    tls_peer::outcome o;
    const std::string out = serve_one(
        *sel, {"-servername", "localhost", round == 0 ? "-sess_out" : "-sess_in", sess}, s, o);
    EXPECT_EQ(o.data, "ping\n");
    EXPECT_EQ(s->resumed(), round == 1);
    EXPECT_THAT(out, HasSubstr(round == 0 ? "New, TLSv1.3" : "Reused, TLSv1.3"));
  }
}

TEST_F(TlsOpensslCli, ClientAgainstSServer) {
  std::unique_ptr<lwspp::tls::session> s;
  std::string out;
  const auto o = connect_to_s_server(test_pki().localhost_ec, "localhost", s, out);
  EXPECT_TRUE(o.handshake_done);
  EXPECT_THAT(o.data, HasSubstr("olleh"));
  EXPECT_EQ(s->alpn(), "h2");
  EXPECT_EQ(s->peer_identity().common_name, "localhost");
  EXPECT_TRUE(s->peer_identity().verified);
}

TEST_F(TlsOpensslCli, ClientVerificationFailures) {
  struct tcase {
    const pem_pair* cert;
    const char* name;
    const char* text;
  };
  const pki& k = test_pki();
  for (const tcase& t :
       {tcase{&k.expired, "localhost", "certificate has expired"},
        tcase{&k.localhost_ec, "wrong.example", "hostname mismatch"},
        tcase{&k.self_signed, "localhost", "self-signed certificate"},
        tcase{&k.untrusted, "localhost", "unable to get local issuer certificate"}}) {
    std::unique_ptr<lwspp::tls::session> s;
    std::string out;
    const auto o = connect_to_s_server(*t.cert, t.name, s, out);
    EXPECT_TRUE(o.failed) << t.text;
    EXPECT_EQ(s->failure().code, make_error_code(lwspp::tls_error::verify_failed));
    EXPECT_EQ(s->failure().message(),
              std::string("TLS certificate verification failed: ") + t.text);
  }
}

}  // namespace
