// lwspp-test-labels: threads
// The WebSocket client end to end over loopback: against our own server
// (ws and wss, deflate on and off, 0 B to 16 MiB, fragments both ways,
// pings both ways, close codes either side, reconnecting after the server
// restarts, redirects), and against hostile servers written here on raw
// sockets (a wrong accept key, a wrong status, no Upgrade, a subprotocol or
// an extension we did not offer, masked frames, garbage, silence), each
// giving the close reason it should; DNS, refused and TLS failures.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "../unit/tls/tls_test_support.hpp"
#include "lwspp/http_server.hpp"
#include "lwspp/raw.hpp"
#include "lwspp/ws_client.hpp"
#include "test_support.hpp"
#include "ws/handshake.hpp"
#include "ws_journal.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::ws::close_code;
using lwspp::ws::message_kind;
using lwspp::ws::socket;
namespace ws = lwspp::ws;

constexpr std::size_t big = 16 * 1024 * 1024;

using journal = test::ws_journal;

class ws_client : public ::testing::Test {
 protected:
  ws::handlers recorder(std::function<void(socket&)> on_open = {}) {
    ws::handlers h;
    h.open = [this, on_open = std::move(on_open)](socket& s) {
      ++j.opens;
      {
        std::lock_guard l(j.m);
        j.events.push_back("open " + std::string(s.protocol()) +
                           (s.compressed() ? " deflate" : ""));
      }
      if (on_open) on_open(s);
    };
    h.message = [this](socket&, std::string_view msg, message_kind kind) {
      std::lock_guard l(j.m);
      j.messages.emplace_back(std::string(msg), kind);
    };
    h.ping = [this](socket&, std::string_view p) {
      std::lock_guard l(j.m);
      j.events.push_back("ping " + std::string(p));
    };
    h.pong = [this](socket&, std::string_view p) {
      std::lock_guard l(j.m);
      j.events.push_back("pong " + std::string(p));
    };
    h.close = [this](socket&, close_code code, std::string_view reason,
                     const lwspp::close_reason& why) {
      std::lock_guard l(j.m);
      j.closes.push_back({static_cast<int>(code), std::string(reason), why, client.finished()});
    };
    return h;
  }

  // Our echo server: "close-NNNN" closes with that code, "ping-me" pings.
  void serve(ws::options o = {}) {
    srv_app.ws(
        "/echo",
        {.message =
             [](socket& s, std::string_view msg, message_kind kind) {
               if (msg.starts_with("close-")) {
                 s.close(static_cast<close_code>(std::stoi(std::string(msg.substr(6)))),
                         "asked to");
                 return;
               }
               if (msg == "ping-me") {
                 s.ping("from server");
                 return;
               }
               s.send(msg, kind);
             },
         .pong = [this](socket&, std::string_view) { ++server_pongs; },
         .close =
             [this](socket&, close_code code, std::string_view reason, const lwspp::close_reason&) {
               server_close_code = static_cast<int>(code);
               std::lock_guard l(j.m);
               j.events.push_back("server closed " + std::to_string(int(code)) + " " +
                                  std::string(reason));
             }},
        std::move(o));
    srv_app.redirect("/old", "/echo", 302);
    lwspp::vhost_options vo{.listen = "127.0.0.1:" + std::to_string(port)};
    vo.connection.write_limit = 64 * 1024 * 1024;
    if (tls) vo.tls = tls_test::localhost_server();
    auto vh = srv_app.listen(srv, std::move(vo));
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    srv_run = std::make_unique<test::runner>(srv);
  }

  std::string url(std::string_view path = "/echo") const {
    return std::string(tls ? "wss" : "ws") + "://localhost:" + std::to_string(port) +
           std::string(path);
  }

  void open(ws::client_options o = {}, std::string_view path = "/echo", bool wait = true) {
    if (tls && !o.connect.tls) o.connect.tls = tls_test::trusting_ca();
    const int opens = j.opens;
    const std::size_t closes = j.close_count();
    auto c = ws::connect(cli, url(path), recorder(), std::move(o));
    ASSERT_TRUE(c) << c.error().message();
    {
      std::lock_guard l(j.m);  // the close handler reads it (under the same lock)
      client = *c;
    }
    if (!cli_run) cli_run = std::make_unique<test::runner>(cli);
    if (wait) {
      ASSERT_TRUE(test::wait_until([&] { return j.opens > opens || j.close_count() > closes; }));
    }
  }

  void TearDown() override {
    cli_run.reset();
    srv_run.reset();
  }

  journal j;
  lwspp::http::server srv_app;
  std::atomic<int> server_close_code{0};
  std::atomic<int> server_pongs{0};
  bool tls = false;
  std::uint16_t port = 0;
  lwspp::context srv;
  ws::client client;
  lwspp::context cli;
  std::unique_ptr<test::runner> srv_run;
  std::unique_ptr<test::runner> cli_run;
};

// Sends messages of every length class and checks each comes back intact.
void round_trips(ws_client& t, journal& j, ws::client& c, std::vector<std::size_t> sizes) {
  (void)t;
  std::size_t want = j.message_count();
  for (std::size_t n : sizes) {
    const std::string msg = test::pattern(n, 0, n);
    ASSERT_TRUE(c.send(msg, message_kind::binary));
    ++want;
    ASSERT_TRUE(test::wait_until([&] { return j.message_count() >= want; }, 60s)) << n;
    std::lock_guard l(j.m);
    EXPECT_EQ(j.messages.back().first.size(), n);
    EXPECT_TRUE(j.messages.back().first == msg) << n;
    EXPECT_EQ(j.messages.back().second, message_kind::binary);
  }
  ASSERT_TRUE(c.send("text é", message_kind::text));
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() > want; }));
  std::lock_guard l(j.m);
  EXPECT_EQ(j.messages.back().first, "text é");
  EXPECT_EQ(j.messages.back().second, message_kind::text);
}

ws::client_options big_messages(bool deflate) {
  ws::client_options o;
  o.ws.max_message_size = big + 1;
  o.ws.max_backpressure = 64 * 1024 * 1024;
  o.ws.deflate.enabled = deflate;
  o.connect.connection.write_limit = 64 * 1024 * 1024;
  return o;
}

ws::options big_server(bool deflate) {
  ws::options o;
  o.max_message_size = big + 1;
  o.max_backpressure = 64 * 1024 * 1024;
  o.deflate.enabled = deflate;
  return o;
}

const std::vector<std::size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 100000, big};

TEST_F(ws_client, echo_plain) {
  serve(big_server(false));
  open(big_messages(false));
  EXPECT_TRUE(j.has("open "));
  round_trips(*this, j, client, sizes);
  EXPECT_FALSE(client.finished());
  client.close();
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
  auto c = j.last_close();
  EXPECT_EQ(c.code, 1000);
  EXPECT_TRUE(c.why.is(lwspp::error::closed_locally)) << c.why.message();
  EXPECT_TRUE(c.finished);
  EXPECT_TRUE(client.finished());
  ASSERT_TRUE(test::wait_until([&] { return server_close_code == 1000; }));
}

TEST_F(ws_client, echo_deflate) {
  serve(big_server(true));
  open(big_messages(true));
  EXPECT_TRUE(j.has("open  deflate"));
  round_trips(*this, j, client, sizes);
}

TEST_F(ws_client, echo_tls_with_and_without_deflate) {
  tls = true;
  serve(big_server(true));
  open(big_messages(false));
  round_trips(*this, j, client, {0, 126, 65536, 1 << 20});
  client.close();
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
  open(big_messages(true));
  EXPECT_TRUE(j.has("open  deflate"));
  round_trips(*this, j, client, {0, 126, 65536, 1 << 20});
}

TEST_F(ws_client, fragments_both_ways) {
  serve({.send_frame_size = 1000});  // the server's answers come in 1000-byte frames
  open();
  const std::string whole = test::pattern(1, 0, 5000);
  ASSERT_TRUE(client.dispatch([&whole](socket& s) {
    for (std::size_t at = 0; at < whole.size(); at += 700)
      s.send_fragment(std::string_view(whole).substr(at, 700), message_kind::binary,
                      at + 700 >= whole.size());
  }));
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() == 1; }));
  std::lock_guard l(j.m);
  EXPECT_TRUE(j.messages[0].first == whole);
}

TEST_F(ws_client, pings_both_ways) {
  serve();
  open();
  ASSERT_TRUE(client.dispatch([](socket& s) { s.ping("from client"); }));
  ASSERT_TRUE(test::wait_until([&] { return j.has("pong from client"); }));
  ASSERT_TRUE(client.send("ping-me"));
  ASSERT_TRUE(test::wait_until([&] { return j.has("ping from server"); }));
  // The client answered: the server's pong handler saw it.
  ASSERT_TRUE(test::wait_until([&] { return server_pongs > 0; }));
}

TEST_F(ws_client, automatic_pings_keep_a_quiet_connection) {
  serve();
  ws::client_options o;
  o.ws.ping_interval = 50ms;
  o.ws.pong_timeout = 1000ms;
  open(std::move(o));
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(j.close_count(), 0u);  // our pings were answered
  ASSERT_TRUE(client.send("still here"));
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() == 1; }));
}

TEST_F(ws_client, close_codes_either_side) {
  serve();
  open();
  ASSERT_TRUE(client.send("close-4321"));
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
  auto c = j.last_close();
  EXPECT_EQ(c.code, 4321);
  EXPECT_EQ(c.reason, "asked to");
  EXPECT_TRUE(c.why.is(lwspp::error::closed_locally) || c.why.is(lwspp::error::peer_closed))
      << c.why.message();
  EXPECT_EQ(c.why.protocol_code, 4321);

  open();
  ASSERT_EQ(j.opens, 2);
  ASSERT_TRUE(client.close(static_cast<close_code>(4001), "bye now"));
  ASSERT_TRUE(test::wait_until([&] { return j.has("server closed 4001 bye now"); }));
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 2; }));
  EXPECT_EQ(j.last_close().code, 4001);
}

TEST_F(ws_client, subprotocol_offered_and_chosen) {
  serve({.protocols = {"v2", "v1"}});
  ws::client_options o;
  o.ws.protocols = {"v1", "v2"};
  open(std::move(o));
  EXPECT_TRUE(j.has("open v1"));  // the server picks in the client's order
}

TEST_F(ws_client, reconnects_after_the_server_restarts) {
  auto echo_app = [] {
    auto app = std::make_unique<lwspp::http::server>();
    app->ws("/echo",
            {.message = [](socket& s, std::string_view m, message_kind k) { s.send(m, k); }});
    return app;
  };
  auto app1 = echo_app();
  auto ctx1 = std::make_unique<lwspp::context>();
  auto vh = app1->listen(*ctx1, {.listen = "127.0.0.1:0"});
  ASSERT_TRUE(vh) << vh.error().message();
  port = (*vh)->bound_address().port();
  auto run1 = std::make_unique<test::runner>(*ctx1);
  ws::client_options o;
  o.reconnect = {.enabled = true, .initial_delay = 20ms, .max_delay = 200ms};
  open(std::move(o));
  ASSERT_EQ(j.opens, 1);
  // The server goes away: its context's destructor aborts its sockets.
  run1.reset();
  ctx1.reset();
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() >= 1; }));
  EXPECT_FALSE(j.last_close().finished);  // a reconnect follows
  std::this_thread::sleep_for(300ms);     // a few refused attempts meanwhile
  // A new server on the same port.
  auto app2 = echo_app();
  lwspp::context ctx2;
  vh = app2->listen(ctx2, {.listen = "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(vh) << vh.error().message();
  test::runner r2(ctx2);
  ASSERT_TRUE(test::wait_until([&] { return j.opens == 2; }));
  {
    std::lock_guard l(j.m);
    bool refused = false;
    for (const auto& c : j.closes)
      refused |= c.why.is(lwspp::error::connection_refused) && c.code == 1006;
    EXPECT_TRUE(refused);
  }
  ASSERT_TRUE(client.send("back"));
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() == 1; }));
  client.stop();
  ASSERT_TRUE(test::wait_until([&] { return client.finished(); }));
  ASSERT_TRUE(test::wait_until([&] { return j.last_close().finished; }));
  cli_run.reset();  // before ctx2 and app2 go
}

TEST_F(ws_client, reconnect_gives_up_after_max_attempts) {
  port = 1;  // nothing listens there
  ws::client_options o;
  o.reconnect = {.enabled = true, .initial_delay = 1ms, .max_delay = 5ms, .max_attempts = 3};
  open(std::move(o), "/echo", false);
  ASSERT_TRUE(test::wait_until([&] { return client.finished() && j.close_count() == 3; }));
  std::this_thread::sleep_for(50ms);  // no fourth attempt
  EXPECT_EQ(j.close_count(), 3u);
  EXPECT_TRUE(j.last_close().finished);
  EXPECT_EQ(j.opens, 0);
}

TEST_F(ws_client, redirects_followed_when_asked) {
  serve();
  ws::client_options o;
  o.follow_redirects = 2;
  open(std::move(o), "/old");
  EXPECT_EQ(j.opens, 1);
  EXPECT_EQ(j.close_count(), 0u);  // a redirect is not an end
  EXPECT_EQ(client.url(), url("/echo"));
  ASSERT_TRUE(client.send("after redirect"));
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() == 1; }));
}

TEST_F(ws_client, redirects_are_failures_by_default) {
  serve();
  open({}, "/old");
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
  auto c = j.last_close();
  EXPECT_EQ(c.why.code, make_error_code(ws::client_error::handshake_status));
  EXPECT_EQ(c.why.protocol_code, 302);
  EXPECT_NE(c.why.message().find("302"), std::string::npos) << c.why.message();
  EXPECT_NE(c.why.message().find("/echo"), std::string::npos) << c.why.message();
  EXPECT_EQ(c.code, 1006);
}

TEST_F(ws_client, a_status_other_than_101) {
  serve();
  open({}, "/nothing-here");
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
  auto c = j.last_close();
  EXPECT_EQ(c.why.code, make_error_code(ws::client_error::handshake_status));
  EXPECT_EQ(c.why.protocol_code, 404);
  EXPECT_NE(c.why.message().find("HTTP 404"), std::string::npos) << c.why.message();
  EXPECT_EQ(j.opens, 0);
}

TEST_F(ws_client, dns_refused_and_tls_failures) {
  auto failure = [&](std::string u, ws::client_options o = {}) {
    const std::size_t before = j.close_count();
    auto c = ws::connect(cli, u, recorder(), std::move(o));
    EXPECT_TRUE(c) << u;
    if (!cli_run) cli_run = std::make_unique<test::runner>(cli);
    EXPECT_TRUE(test::wait_until([&] { return j.close_count() > before; })) << u;
    return j.last_close();
  };
  auto c = failure("ws://no-such-host.invalid/");
  EXPECT_TRUE(c.why.is(lwspp::error::dns_failed)) << c.why.message();
  EXPECT_EQ(c.code, 1006);
  c = failure("ws://127.0.0.1:1/");
  EXPECT_TRUE(c.why.is(lwspp::error::connection_refused)) << c.why.message();

  tls = true;
  serve();
  c = failure(url());  // no trust in the test CA: the system store does not know it
  EXPECT_EQ(c.why.code, make_error_code(lwspp::tls_error::verify_failed)) << c.why.message();
  EXPECT_NE(c.why.message().find("certificate"), std::string::npos) << c.why.message();
  EXPECT_EQ(c.code, 1015);
  ws::client_options wrong_name;
  wrong_name.connect.tls = tls_test::trusting_ca();
  wrong_name.connect.tls->server_name = "other.example";
  c = failure(url(), std::move(wrong_name));
  EXPECT_EQ(c.why.code, make_error_code(lwspp::tls_error::verify_failed)) << c.why.message();
  EXPECT_EQ(j.opens, 0);
}

TEST_F(ws_client, bad_urls_and_options_are_errors_at_once) {
  EXPECT_EQ(ws::connect(cli, "http://x/", {}).error().code,
            make_error_code(ws::client_error::bad_url));
  EXPECT_EQ(ws::connect(cli, "ws://x/#f", {}).error().code,
            make_error_code(ws::client_error::bad_url));
  ws::client_options o;
  o.headers = {{"X-Evil", "a\r\nHost: b"}};
  EXPECT_EQ(ws::connect(cli, "ws://x/", {}, o).error().code,
            make_error_code(ws::client_error::bad_option));
  o = {};
  o.ws.protocols = {"not a token"};
  EXPECT_EQ(ws::connect(cli, "ws://x/", {}, o).error().code,
            make_error_code(ws::client_error::bad_option));
  o = {};
  o.ws.origins = {"https://x"};
  EXPECT_FALSE(ws::connect(cli, "ws://x/", {}, o));
}

// --- hostile servers ---------------------------------------------------------------

// A raw server that answers the upgrade request with whatever `answer`
// makes of the request's Sec-WebSocket-Key (or never answers, when it
// returns "").
class hostile : public ws_client {
 protected:
  void serve_raw(std::function<std::string(std::string key)> answer) {
    auto vh =
        lwspp::raw::listen(srv, {.listen = "127.0.0.1:0"},
                           {.on_data = [answer = std::move(answer), buf = std::string()](
                                           lwspp::connection& c, std::string_view bytes) mutable {
                             buf.append(bytes);
                             if (buf.find("\r\n\r\n") == std::string::npos) return;
                             const std::size_t k = buf.find("Sec-WebSocket-Key: ");
                             const std::string key = buf.substr(k + 19, 24);
                             buf.clear();
                             const std::string out = answer(key);
                             if (!out.empty()) c.send(out);
                           }});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    srv_run = std::make_unique<test::runner>(srv);
  }
  journal::closed outcome(ws::client_options o = {}) {
    open(std::move(o), "/echo", false);
    EXPECT_TRUE(test::wait_until([&] { return j.close_count() == 1; }));
    return j.last_close();
  }
};

std::string head_101(const std::string& key, std::string extra = {}) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         ws::accept_key(key) + "\r\n" + extra + "\r\n";
}

void expect_invalid(const journal::closed& c, std::string_view detail) {
  EXPECT_EQ(c.why.code, make_error_code(ws::client_error::handshake_invalid)) << c.why.message();
  EXPECT_NE(c.why.detail.find(detail), std::string::npos) << c.why.message();
  EXPECT_EQ(c.code, 1006);
}

TEST_F(hostile, wrong_accept_key) {
  serve_raw([](std::string) { return head_101("AAAAAAAAAAAAAAAAAAAAAA=="); });
  expect_invalid(outcome(), "Sec-WebSocket-Accept does not match our key");
  EXPECT_EQ(j.opens, 0);
}

TEST_F(hostile, missing_upgrade) {
  serve_raw([](std::string key) {
    return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
           ws::accept_key(key) + "\r\n\r\n";
  });
  expect_invalid(outcome(), "Upgrade does not say websocket");
}

TEST_F(hostile, a_200_instead) {
  serve_raw(
      [](std::string) { return std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"); });
  auto c = outcome();
  EXPECT_EQ(c.why.code, make_error_code(ws::client_error::handshake_status));
  EXPECT_EQ(c.why.detail, "HTTP 200 OK");
}

TEST_F(hostile, unoffered_subprotocol) {
  serve_raw([](std::string key) { return head_101(key, "Sec-WebSocket-Protocol: evil\r\n"); });
  ws::client_options o;
  o.ws.protocols = {"good"};
  expect_invalid(outcome(std::move(o)), "'evil' was not offered");
}

TEST_F(hostile, unoffered_extension) {
  serve_raw([](std::string key) {
    return head_101(key, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
  });
  expect_invalid(outcome(), "when none was offered");
}

TEST_F(hostile, masked_frames_from_the_server) {
  serve_raw([](std::string key) {
    // A masked text frame "hi" right behind the 101, in the same packet.
    return head_101(key) + std::string("\x81\x82\x01\x02\x03\x04", 6) + "\x69\x6b";
  });
  auto c = outcome();
  EXPECT_EQ(j.opens, 1);
  EXPECT_TRUE(c.why.is(lwspp::error::protocol_error)) << c.why.message();
  EXPECT_EQ(c.code, 1002);
  EXPECT_EQ(c.why.protocol_code, 1002);
  EXPECT_EQ(j.message_count(), 0u);
}

TEST_F(hostile, frames_behind_the_101_are_delivered) {
  serve_raw([](std::string key) { return head_101(key) + "\x81\x05hello"; });
  open();
  ASSERT_TRUE(test::wait_until([&] { return j.message_count() == 1; }));
  std::lock_guard l(j.m);
  EXPECT_EQ(j.messages[0].first, "hello");
}

TEST_F(hostile, garbage) {
  serve_raw([](std::string) { return std::string("\x16\x03\x01 not http at all\r\n\r\n"); });
  expect_invalid(outcome(), "malformed response");
}

TEST_F(hostile, a_head_too_large) {
  serve_raw(
      [](std::string) { return "HTTP/1.1 101 x\r\nX: " + std::string(100000, 'a') + "\r\n\r\n"; });
  expect_invalid(outcome(), "header section too large");
}

TEST_F(hostile, silence_is_a_handshake_timeout) {
  serve_raw([](std::string) { return std::string(); });
  ws::client_options o;
  o.handshake_timeout = 100ms;
  auto c = outcome(std::move(o));
  EXPECT_EQ(c.why.code, make_error_code(ws::client_error::handshake_timeout)) << c.why.message();
  EXPECT_EQ(c.code, 1006);
}

TEST_F(hostile, the_server_hangs_up_mid_head) {
  serve_raw([](std::string) { return std::string(); });
  // (The raw server never answers; this one closes after half a head.)
  srv_run.reset();
  lwspp::context ctx2;
  auto vh = lwspp::raw::listen(ctx2, {.listen = "127.0.0.1:0"},
                               {.on_data = [](lwspp::connection& c, std::string_view) {
                                 c.send("HTTP/1.1 101 Swi");
                                 c.close();
                               }});
  ASSERT_TRUE(vh);
  port = (*vh)->bound_address().port();
  test::runner r2(ctx2);
  auto c = outcome();
  expect_invalid(c, "closed the connection after 16 bytes of the response head");
  cli_run.reset();
}

}  // namespace
