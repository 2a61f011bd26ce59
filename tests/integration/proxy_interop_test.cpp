// Client connections through real proxies (docs/proxy.md): tinyproxy for
// HTTP CONNECT, microsocks for SOCKS5, both from Debian (scripts/install-deps
// test), each started per test on a free port. A real lwspp client
// (context::connect with route_via) reaches lwspp servers through them: a
// raw server that speaks first (its greeting arrives with the proxy's reply
// and must not be lost) and a TLS server whose certificate names only
// "localhost" (so verification must use the destination's name, not the
// proxy's 127.0.0.1). Then every failure, each with its reason: 403, 407,
// wrong SOCKS credentials, a refused destination, a proxy that is not
// listening, one that stalls (connect_timeout), one that hangs up.
#include <gmock/gmock.h>

#include <mutex>
#include <optional>

#include "../unit/tls/tls_test_support.hpp"
#include "lwspp/proxy.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"
#include "tls_peer.hpp"

namespace {

using lwspp::proxy;
using lwspp::proxy_error;
using lwspp::proxy_kind;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

bool have(const char* tool) {
  return std::system(("command -v " + std::string(tool) + " >/dev/null 2>&1").c_str()) == 0;
}

std::uint16_t free_port() {
  std::uint16_t port = 0;
  ::close(tls_peer::listen_any(port));
  return port;
}

// What one client connection saw.
struct journal {
  std::mutex m;
  bool opened = false;
  std::string data, sni, peer;
  std::optional<lwspp::close_reason> why;

  bool closed() {
    std::lock_guard l(m);
    return why.has_value();
  }
  std::string got() {
    std::lock_guard l(m);
    return data;
  }
};

struct ProxyInterop : ::testing::Test {
  tls_test::temp_dir dir;
  lwspp::context ctx;
  std::uint16_t greeter = 0, tls_port = 0, hangup = 0, closed_port = 0;
  std::vector<tls_peer::child> proxies;  // move-only
  std::unique_ptr<test::runner> run;

  void SetUp() override {
    // A raw server that greets first, then echoes.
    auto g = lwspp::raw::listen(
        ctx, {.listen = "127.0.0.1:0"},
        {.on_open = [](lwspp::connection& c) { c.send("hello\n"); },
         .on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }});
    ASSERT_TRUE(g) << g.error().message();
    greeter = (*g)->bound_address().port();
    // TLS with a certificate for the name "localhost" only (no IP address).
    const auto& k = tls_test::test_pki();
    const auto cert =
        tls_test::make({.common_name = "localhost", .alt_names = {"localhost"}}, &k.ca);
    auto t = lwspp::raw::listen(
        ctx,
        {.listen = "127.0.0.1:0",
         .tls = lwspp::tls_server_options{.certificates = {tls_test::in_memory(cert)}}},
        {.on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }});
    ASSERT_TRUE(t) << t.error().message();
    tls_port = (*t)->bound_address().port();
    // A "proxy" that hangs up as soon as it is spoken to.
    auto h =
        lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"},
                           {.on_data = [](lwspp::connection& c, std::string_view) { c.close(); }});
    ASSERT_TRUE(h) << h.error().message();
    hangup = (*h)->bound_address().port();
    closed_port = free_port();
    run = std::make_unique<test::runner>(ctx);
  }

  void TearDown() override {
    run.reset();
    for (auto& p : proxies) {
      ::kill(p.pid, SIGTERM);  // first: finish() would wait for output to end
      p.finish();
    }
  }

  void wait_listening(std::uint16_t port, tls_peer::child& c) {
    ASSERT_TRUE(test::wait_until(
        [&] {
          const int fd = test::dial(port);
          if (fd >= 0) ::close(fd);
          return fd >= 0;
        },
        10s))
        << "proxy on port " << port << " never listened: " << c.finish();
  }

  // tinyproxy allowing CONNECT to the greeter, the TLS server and the closed port.
  proxy tinyproxy(std::string auth = {}) {
    if (!have("tinyproxy")) return {};
    const std::uint16_t port = free_port();
    std::string conf = "Port " + std::to_string(port) +
                       "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\n"
                       "Allow 127.0.0.1\nPidFile \"" +
                       dir.file("tinyproxy.pid") + "\"\n";
    for (auto p : {greeter, tls_port, closed_port})
      conf += "ConnectPort " + std::to_string(p) + "\n";
    if (!auth.empty()) conf += "BasicAuth " + auth + "\n";
    proxies.push_back(
        tls_peer::child::spawn({"tinyproxy", "-d", "-c", dir.write("tp.conf", conf)}));
    wait_listening(port, proxies.back());
    return {.kind = proxy_kind::http, .host = "127.0.0.1", .port = port};
  }

  proxy microsocks(std::vector<std::string> auth = {}) {
    if (!have("microsocks")) return {};
    const std::uint16_t port = free_port();
    std::vector<std::string> cmd = {"microsocks", "-i", "127.0.0.1", "-p", std::to_string(port)};
    cmd.insert(cmd.end(), auth.begin(), auth.end());
    proxies.push_back(tls_peer::child::spawn(cmd));
    wait_listening(port, proxies.back());
    return {.kind = proxy_kind::socks5, .host = "127.0.0.1", .port = port};
  }

  // Connects to host:port through p; sends `say` once open. With tls, trusts the test CA.
  std::shared_ptr<journal> dial(const proxy& p, const std::string& host, std::uint16_t port,
                                bool tls = false, std::string say = "ping\n",
                                std::chrono::milliseconds timeout = 10s) {
    auto j = std::make_shared<journal>();
    lwspp::connect_options o{.connect_timeout = timeout};
    if (tls) o.tls = lwspp::tls_client_options{.ca_pem = tls_test::test_pki().ca.cert_pem};
    auto target = lwspp::route_via(o, p, host, port);
    EXPECT_TRUE(target) << target.error().message();
    if (!target) return j;
    lwspp::raw::connect(ctx, *target,
                        {.on_open =
                             [j, say](lwspp::connection& c) {
                               {
                                 std::lock_guard l(j->m);
                                 j->opened = true;
                                 j->sni = std::string(c.tls_server_name());
                                 j->peer = c.peer().to_string();
                               }
                               c.send(say);
                             },
                         .on_data =
                             [j](lwspp::connection&, std::string_view d) {
                               std::lock_guard l(j->m);
                               j->data.append(d);
                             },
                         .on_close =
                             [j](lwspp::connection&, const lwspp::close_reason& r) {
                               std::lock_guard l(j->m);
                               j->why = r;
                             }},
                        std::move(o));
    return j;
  }

  // Waits for the connection to close by itself; its reason.
  lwspp::close_reason failure(const std::shared_ptr<journal>& j) {
    EXPECT_TRUE(test::wait_until([&] { return j->closed(); }, 15s));
    std::lock_guard l(j->m);
    EXPECT_FALSE(j->opened) << "a failed tunnel must not open the connection";
    return j->why.value_or(lwspp::close_reason());
  }
};

#define NEED(p) \
  if ((p).host.empty()) GTEST_SKIP() << "proxy not installed (scripts/install-deps test)"

TEST_F(ProxyInterop, HttpConnectKeepsTheGreetingThatCameWithTheReply) {
  const proxy p = tinyproxy();
  NEED(p);
  auto j = dial(p, "127.0.0.1", greeter);
  EXPECT_TRUE(test::wait_until([&] { return j->got() == "hello\nping\n"; }, 10s)) << j->got();
  std::lock_guard l(j->m);
  EXPECT_TRUE(j->opened);
  EXPECT_EQ(j->peer, p.address());  // the socket's peer is the proxy
}

TEST_F(ProxyInterop, HttpConnectTlsVerifiesTheDestinationName) {
  const proxy p = tinyproxy();
  NEED(p);
  auto j = dial(p, "localhost", tls_port, true);
  EXPECT_TRUE(test::wait_until([&] { return j->got() == "ping\n"; }, 10s)) << j->got();
  {
    std::lock_guard l(j->m);
    EXPECT_EQ(j->sni, "localhost");
    EXPECT_FALSE(j->why) << j->why->message();
  }
  // The certificate does not name 127.0.0.1: verification is on, and of the destination.
  const auto why = failure(dial(p, "127.0.0.1", tls_port, true));
  EXPECT_EQ(why.code, lwspp::tls_error::verify_failed) << why.message();
}

TEST_F(ProxyInterop, HttpConnectBasicAuth) {
  proxy p = tinyproxy("alice s3cret");
  NEED(p);
  auto why = failure(dial(p, "127.0.0.1", greeter));
  EXPECT_EQ(why.code, proxy_error::auth_required) << why.message();
  EXPECT_EQ(why.protocol_code, 407);
  EXPECT_THAT(why.message(), HasSubstr("(no credentials were given); Proxy-Authenticate: Basic"));
  p.user = "alice";
  p.password = "wrong";
  why = failure(dial(p, "127.0.0.1", greeter));
  EXPECT_EQ(why.code, proxy_error::auth_required) << why.message();
  EXPECT_EQ(why.protocol_code, 401);  // tinyproxy's answer to wrong credentials
  EXPECT_THAT(why.message(), HasSubstr("HTTP 401 Unauthorized"));
  EXPECT_THAT(why.message(), HasSubstr("(the credentials given were refused)"));
  p.password = "s3cret";
  auto j = dial(p, "127.0.0.1", greeter);
  EXPECT_TRUE(test::wait_until([&] { return j->got() == "hello\nping\n"; }, 10s)) << j->got();
}

TEST_F(ProxyInterop, HttpConnectRefusals) {
  const proxy p = tinyproxy();
  NEED(p);
  // A port tinyproxy's ConnectPort does not allow.
  auto why = failure(dial(p, "127.0.0.1", hangup));
  EXPECT_EQ(why.code, proxy_error::refused) << why.message();
  EXPECT_EQ(why.protocol_code, 403);
  EXPECT_THAT(why.message(), HasSubstr("HTTP 403 Access violation from proxy " + p.address()));
  // A destination that refuses: tinyproxy says 500.
  why = failure(dial(p, "127.0.0.1", closed_port));
  EXPECT_EQ(why.code, proxy_error::refused) << why.message();
  EXPECT_EQ(why.protocol_code, 500);
  EXPECT_THAT(why.message(), HasSubstr("HTTP 500 Unable to connect"));
}

TEST_F(ProxyInterop, Socks5RawAndTls) {
  const proxy p = microsocks();
  NEED(p);
  auto j = dial(p, "127.0.0.1", greeter);
  EXPECT_TRUE(test::wait_until([&] { return j->got() == "hello\nping\n"; }, 10s)) << j->got();
  // By name: the proxy resolves "localhost"; TLS verifies it.
  auto t = dial(p, "localhost", tls_port, true);
  EXPECT_TRUE(test::wait_until([&] { return t->got() == "ping\n"; }, 10s)) << t->got();
  std::lock_guard l(t->m);
  EXPECT_EQ(t->sni, "localhost");
}

TEST_F(ProxyInterop, Socks5UsernamePassword) {
  proxy p = microsocks({"-u", "bob", "-P", "pa55"});
  NEED(p);
  auto why = failure(dial(p, "127.0.0.1", greeter));
  EXPECT_EQ(why.code, proxy_error::no_acceptable_auth) << why.message();
  p.user = "bob";
  p.password = "wrong";
  why = failure(dial(p, "127.0.0.1", greeter));
  EXPECT_EQ(why.code, proxy_error::auth_failed) << why.message();
  EXPECT_THAT(why.message(), HasSubstr("user \"bob\" refused"));
  p.password = "pa55";
  auto j = dial(p, "127.0.0.1", greeter);
  EXPECT_TRUE(test::wait_until([&] { return j->got() == "hello\nping\n"; }, 10s)) << j->got();
}

TEST_F(ProxyInterop, Socks5DestinationRefused) {
  const proxy p = microsocks();
  NEED(p);
  const auto why = failure(dial(p, "127.0.0.1", closed_port));
  EXPECT_EQ(why.code, proxy_error::socks_failure) << why.message();
  EXPECT_EQ(why.protocol_code, 5);
  EXPECT_THAT(why.message(), HasSubstr("connection refused by destination host"));
}

TEST_F(ProxyInterop, ProxyNotListening) {
  for (auto kind : {proxy_kind::http, proxy_kind::socks5}) {
    const auto why = failure(
        dial({.kind = kind, .host = "127.0.0.1", .port = closed_port}, "127.0.0.1", greeter));
    EXPECT_EQ(why.code, lwspp::error::connection_refused) << why.message();
  }
}

TEST_F(ProxyInterop, ProxyThatStallsTimesOut) {
  std::uint16_t port = 0;
  const int lfd = tls_peer::listen_any(port);  // the kernel accepts; nobody answers
  for (auto kind : {proxy_kind::http, proxy_kind::socks5}) {
    const auto start = std::chrono::steady_clock::now();
    const auto why = failure(dial({.kind = kind, .host = "127.0.0.1", .port = port}, "127.0.0.1",
                                  greeter, false, "", 300ms));
    EXPECT_EQ(why.code, lwspp::error::connect_timeout) << why.message();
    EXPECT_THAT(why.message(), HasSubstr("the proxy had not finished the tunnel handshake"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  }
  ::close(lfd);
}

TEST_F(ProxyInterop, ProxyThatHangsUp) {
  for (auto kind : {proxy_kind::http, proxy_kind::socks5}) {
    const auto why =
        failure(dial({.kind = kind, .host = "127.0.0.1", .port = hangup}, "127.0.0.1", greeter));
    EXPECT_EQ(why.code, proxy_error::closed) << why.message();
  }
}

}  // namespace
