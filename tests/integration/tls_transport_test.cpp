// TLS under the connection, end to end over loopback: lwspp's TLS client
// against lwspp's TLS server (the openssl CLI and curl are the peers in
// tests/interop/tls_*.sh). Roles see plaintext and a later on_open; the
// transport handles early sends, backpressure, SNI vhosts, failures,
// plaintext HTTP on the TLS port, handshake timeouts and reloads.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <list>
#include <mutex>

#include <sys/socket.h>

#include "../unit/tls/tls_test_support.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using tls_test::in_memory;
using tls_test::test_pki;

// What a client saw, written on the loop thread and read by the test.
struct client_log {
  std::mutex mu;
  std::string data;
  std::string alpn, version, peer_cn;
  bool opened = false;
  bool closed = false;
  lwspp::close_reason why;

  std::string get_data() {
    std::lock_guard l(mu);
    return data;
  }
};

lwspp::raw::handlers client_handlers(client_log& log, std::string first_send = {}) {
  return {
      .on_open =
          [&log, first_send](lwspp::connection& c) {
            std::lock_guard l(log.mu);
            log.opened = true;
            log.alpn = std::string(c.tls_alpn());
            log.version = std::string(c.tls_version());
            log.peer_cn = c.tls_peer().common_name;
            if (!first_send.empty()) c.send(first_send);
          },
      .on_data =
          [&log](lwspp::connection&, std::string_view d) {
            std::lock_guard l(log.mu);
            log.data.append(d);
          },
      .on_close =
          [&log](lwspp::connection&, const lwspp::close_reason& why) {
            std::lock_guard l(log.mu);
            log.why = why;
            log.closed = true;
          },
  };
}

// An echo server role that also says which vhost it is on open.
lwspp::raw::handlers echo(std::string greeting = {}) {
  return {.on_open =
              [greeting](lwspp::connection& c) {
                if (!greeting.empty()) c.send(greeting);
              },
          .on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }};
}

lwspp::tls_server_options localhost_tls(std::vector<std::string> alpn = {}) {
  return {.certificates = {in_memory(test_pki().localhost_ec)}, .alpn = std::move(alpn)};
}

lwspp::tls_client_options trusting(std::vector<std::string> alpn = {}) {
  return {.ca_pem = test_pki().ca.cert_pem, .alpn = std::move(alpn)};
}

std::string target(lwspp::vhost* vh) {
  return "localhost:" + std::to_string(vh->bound_address().port());
}

TEST(tls_transport, echo_with_alpn_and_a_send_before_the_handshake) {
  client_log log2;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(
      ctx, {.listen = "127.0.0.1:0", .tls = localhost_tls({"x-echo", "x-other"})}, echo());
  ASSERT_TRUE(vh) << vh.error().message();
  test::runner run(ctx);
  auto h2 =
      lwspp::raw::connect(ctx, target(*vh), client_handlers(log2), {.tls = trusting({"x-echo"})});
  // Sent at once, before the handshake has even started: it must wait.
  ASSERT_TRUE(h2.send("early bird "));
  ASSERT_TRUE(test::wait_until([&] { return log2.get_data() == "early bird "; }));
  ASSERT_TRUE(h2.send("and after"));
  ASSERT_TRUE(test::wait_until([&] { return log2.get_data() == "early bird and after"; }));
  {
    std::lock_guard l(log2.mu);
    EXPECT_TRUE(log2.opened);
    EXPECT_EQ(log2.alpn, "x-echo");
    EXPECT_EQ(log2.version, "TLSv1.3");
    EXPECT_EQ(log2.peer_cn, "localhost");
  }
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->tls_handshakes() >= 1; }));
  h2.close();
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(log2.mu);
    return log2.closed;
  }));
  EXPECT_TRUE(log2.why.clean()) << log2.why.message();
}

TEST(tls_transport, four_megabytes_each_way_under_backpressure) {
  client_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  // Small write limits: the echo must pause reading while its queue is high.
  lwspp::raw::handlers h{
      .on_data =
          [](lwspp::connection& c, std::string_view d) {
            if (c.send(d).backpressure) c.pause_reading();
          },
      .on_writable = [](lwspp::connection& c) { c.resume_reading(); },
  };
  auto vh = lwspp::raw::listen(ctx,
                               {.listen = "127.0.0.1:0",
                                .connection = {.write_high_water = 32 * 1024},
                                .tls = localhost_tls()},
                               h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const std::string payload = test::pattern(3, 0, 4 << 20);
  auto c = lwspp::raw::connect(ctx, target(*vh), client_handlers(log), {.tls = trusting()});
  for (std::size_t at = 0; at < payload.size(); at += 256 * 1024)
    ASSERT_TRUE(c.send(payload.substr(at, 256 * 1024)));
  ASSERT_TRUE(test::wait_until([&] { return log.get_data().size() >= payload.size(); }, 60s))
      << log.get_data().size();
  EXPECT_TRUE(log.get_data() == payload);
}

TEST(tls_transport, sni_picks_the_vhost_sharing_the_port) {
  client_log la, lb;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto a = lwspp::raw::listen(ctx,
                              {.name = "a",
                               .listen = "127.0.0.1:0",
                               .tls = {{.certificates = {in_memory(test_pki().a_example)}}},
                               .server_names = {"a.example.com"}},
                              echo("vhost a\n"));
  ASSERT_TRUE(a) << a.error().message();
  auto b = lwspp::raw::listen(ctx,
                              {.name = "b",
                               .listen = (*a)->bound_address().to_string(),
                               .tls = {{.certificates = {in_memory(test_pki().b_wildcard)}}},
                               .server_names = {"*.b.example.com"}},
                              echo("vhost b\n"));
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ((*b)->bound_address(), (*a)->bound_address());
  test::runner run(ctx);
  const std::string port = std::to_string((*a)->bound_address().port());
  auto ca = lwspp::raw::connect(ctx, "127.0.0.1:" + port, client_handlers(la),
                                {.tls = lwspp::tls_client_options{.ca_pem = test_pki().ca.cert_pem,
                                                                  .server_name = "a.example.com"}});
  auto cb =
      lwspp::raw::connect(ctx, "127.0.0.1:" + port, client_handlers(lb),
                          {.tls = lwspp::tls_client_options{.ca_pem = test_pki().ca.cert_pem,
                                                            .server_name = "x.b.example.com"}});
  ASSERT_TRUE(test::wait_until([&] { return la.get_data() == "vhost a\n"; }));
  ASSERT_TRUE(test::wait_until([&] { return lb.get_data() == "vhost b\n"; }));
  {
    std::lock_guard l(lb.mu);
    EXPECT_EQ(lb.peer_cn, "*.b.example.com");
  }
  EXPECT_EQ((*a)->tls_handshakes(), 1u);
  EXPECT_EQ((*b)->tls_handshakes(), 1u);
}

TEST(tls_transport, a_certificate_the_client_cannot_verify_closes_with_the_x509_reason) {
  client_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh = lwspp::raw::listen(
      ctx,
      {.listen = "127.0.0.1:0", .tls = {{.certificates = {in_memory(test_pki().self_signed)}}}},
      echo());
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  auto c = lwspp::raw::connect(ctx, target(*vh), client_handlers(log), {.tls = trusting()});
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(log.mu);
    return log.closed;
  }));
  std::lock_guard l(log.mu);
  EXPECT_FALSE(log.opened);
  EXPECT_EQ(log.why.code, lwspp::tls_error::verify_failed) << log.why.message();
  EXPECT_NE(log.why.message().find("self-signed certificate"), std::string::npos)
      << log.why.message();
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->tls_handshake_failures() == 1; }));
}

TEST(tls_transport, a_bad_client_setting_fails_the_connection_with_its_reason) {
  client_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::error});
  test::runner run(ctx);
  auto c =
      lwspp::raw::connect(ctx, "127.0.0.1:9", client_handlers(log),
                          {.tls = lwspp::tls_client_options{.ca_file = "/nonexistent/ca.pem"}});
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(log.mu);
    return log.closed;
  }));
  std::lock_guard l(log.mu);
  EXPECT_FALSE(log.opened);
  EXPECT_NE(log.why.message().find("/nonexistent/ca.pem"), std::string::npos) << log.why.message();
}

std::string exchange_plain(std::uint16_t port, std::string_view request) {
  const int fd = test::dial(port);
  if (fd < 0) return "dial failed";
  test::write_all(fd, request);
  std::string reply = test::read_to_eof(fd);
  ::close(fd);
  return reply;
}

TEST(tls_transport, plaintext_http_on_the_tls_port_gets_an_answer_it_can_read) {
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto page = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .tls = localhost_tls()}, echo());
  auto redirect = lwspp::raw::listen(ctx,
                                     {.listen = "127.0.0.1:0",
                                      .tls = localhost_tls(),
                                      .plaintext_http = lwspp::tls_plaintext_http::redirect_https},
                                     echo());
  ASSERT_TRUE(page && redirect);
  test::runner run(ctx);
  const std::string req = "GET /some/path?q=1 HTTP/1.1\r\nHost: example.test:8443\r\n\r\n";
  const std::string a = exchange_plain((*page)->bound_address().port(), req);
  EXPECT_TRUE(a.starts_with("HTTP/1.1 400 ")) << a;
  EXPECT_NE(a.find("https://"), std::string::npos) << a;
  const std::string b = exchange_plain((*redirect)->bound_address().port(), req);
  EXPECT_TRUE(b.starts_with("HTTP/1.1 301 ")) << b;
  EXPECT_NE(b.find("\r\nLocation: https://example.test:8443/some/path?q=1\r\n"), std::string::npos)
      << b;
  // A Host with a CR/LF trick or a non-path target gets the page, not a redirect.
  const std::string c = exchange_plain((*redirect)->bound_address().port(),
                                       "GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(c.starts_with("HTTP/1.1 400 ")) << c;
  EXPECT_EQ((*page)->tls_handshake_failures(), 1u);
}

TEST(tls_transport, a_silent_client_is_closed_at_the_handshake_timeout) {
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh = lwspp::raw::listen(
      ctx, {.listen = "127.0.0.1:0", .tls = localhost_tls(), .tls_handshake_timeout = 200ms},
      echo());
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(test::read_to_eof(fd), "");
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->tls_handshake_failures() == 1; }));
}

TEST(tls_transport, reload_swaps_the_certificate_for_new_connections_and_keeps_it_on_error) {
  tls_test::temp_dir dir;
  const std::string cert = dir.write("site.crt", test_pki().localhost_ec.cert_pem);
  const std::string key = dir.write("site.key", test_pki().localhost_ec.key_pem);
  std::list<client_log> logs;  // outlive ctx: on_close may run while it is destroyed
  lwspp::context ctx({.level = lwspp::log_level::error});
  auto vh = lwspp::raw::listen(
      ctx,
      {.listen = "127.0.0.1:0", .tls = {{.certificates = {{.cert_file = cert, .key_file = key}}}}},
      echo("hi"));
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  auto peer_cn = [&] {
    client_log& log = logs.emplace_back();
    // No resumption: a resumed session would show the first certificate.
    auto opts = trusting();
    opts.session_resumption = false;
    auto c = lwspp::raw::connect(ctx, target(*vh), client_handlers(log), {.tls = opts});
    EXPECT_TRUE(test::wait_until([&] { return log.get_data() == "hi"; }));
    c.close();
    EXPECT_TRUE(test::wait_until([&] {
      std::lock_guard l(log.mu);
      return log.closed;
    }));
    std::lock_guard l(log.mu);
    return log.peer_cn;
  };
  EXPECT_EQ(peer_cn(), "localhost");
  dir.write("site.crt", test_pki().localhost_rsa.cert_pem);
  dir.write("site.key", test_pki().localhost_rsa.key_pem);
  ASSERT_TRUE((*vh)->reload_tls());
  EXPECT_EQ(peer_cn(), "localhost rsa");
  dir.write("site.crt", "not a certificate");
  auto bad = (*vh)->reload_tls();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("site.crt"), std::string::npos) << bad.error().message();
  EXPECT_EQ(peer_cn(), "localhost rsa");
}

TEST(tls_transport, required_client_certificate_is_visible_to_the_server_role) {
  client_log with, without;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::error});
  std::mutex mu;
  std::string seen;
  lwspp::raw::handlers h{.on_open = [&](lwspp::connection& c) {
    std::lock_guard l(mu);
    seen = c.tls_peer().common_name + (c.tls_peer().verified ? " verified" : "");
    c.send("ok");
  }};
  auto vh = lwspp::raw::listen(ctx,
                               {.listen = "127.0.0.1:0",
                                .tls = {{.certificates = {in_memory(test_pki().localhost_ec)},
                                         .client_auth = lwspp::tls_client_auth::required,
                                         .client_ca_pem = test_pki().ca.cert_pem}}},
                               h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  auto opts = trusting();
  opts.certificate = in_memory(test_pki().alice);
  auto c1 = lwspp::raw::connect(ctx, target(*vh), client_handlers(with), {.tls = opts});
  ASSERT_TRUE(test::wait_until([&] { return with.get_data() == "ok"; }));
  {
    std::lock_guard l(mu);
    EXPECT_EQ(seen, "alice verified");
  }
  auto c2 = lwspp::raw::connect(ctx, target(*vh), client_handlers(without), {.tls = trusting()});
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(without.mu);
    return without.closed;
  }));
  std::lock_guard l(without.mu);
  EXPECT_TRUE(without.data.empty());
  EXPECT_FALSE(without.why.clean()) << without.why.message();
}

}  // namespace

// A peer that ends the TCP stream (FIN) without close_notify has truncated
// the TLS stream: a raw role (default on_peer_eof) must not see it as an
// orderly close. The server here sends its greeting, then shuts down its
// sending side under TLS's feet.
TEST(tls_transport, a_fin_without_close_notify_closes_as_truncated_not_clean) {
  client_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .tls = localhost_tls()},
                               {.on_open = [](lwspp::connection& c) {
                                 c.send("bye\n");
                                 ::shutdown(c.fd(), SHUT_WR);
                               }});
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  auto c = lwspp::raw::connect(ctx, target(*vh), client_handlers(log), {.tls = trusting()});
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(log.mu);
    return log.closed;
  }));
  std::lock_guard l(log.mu);
  EXPECT_EQ(log.data, "bye\n");
  EXPECT_FALSE(log.why.clean()) << log.why.message();
  EXPECT_EQ(log.why.code, lwspp::tls_error::truncated) << log.why.message();
}

// The same FIN after the peer's close_notify is an orderly close.
TEST(tls_transport, a_fin_after_close_notify_closes_clean) {
  client_log log;  // before ctx: on_close may still run while ctx is destroyed
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .tls = localhost_tls()},
                               {.on_open = [](lwspp::connection& c) {
                                 c.send("bye\n");
                                 c.close();
                               }});
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  auto c = lwspp::raw::connect(ctx, target(*vh), client_handlers(log), {.tls = trusting()});
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(log.mu);
    return log.closed;
  }));
  std::lock_guard l(log.mu);
  EXPECT_EQ(log.data, "bye\n");
  EXPECT_TRUE(log.why.is(lwspp::error::peer_closed)) << log.why.message();
}
