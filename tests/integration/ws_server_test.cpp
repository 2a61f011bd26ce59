// lwspp-test-labels: threads
// The WebSocket server end to end over loopback, with the test's own client
// (ws_peer.hpp) so that every byte on the wire is the test's to choose: the
// handshake and its refusals, bytes pipelined behind the request head,
// messages of every length class, fragments both ways, pings, the closing
// handshake from either side and its timeout, protocol errors and their
// close codes, automatic pings, backpressure, permessage-deflate, handles
// used from another thread, and a graceful stop.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "lwspp/http_server.hpp"
#include "ws_journal.hpp"
#include "ws_peer.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::ws::close_code;
using lwspp::ws::message_kind;
using lwspp::ws::socket;
using test::ws_peer;

using journal = test::ws_journal;

class ws_server : public ::testing::Test {
 protected:
  // Echo handlers that also write into the journal.
  lwspp::ws::handlers echo(journal& j) {
    lwspp::ws::handlers h;
    h.open = [&j](socket& s) {
      ++j.opens;
      const lwspp::http::request* req = s.upgrade_request();
      j.add("open " + std::string(req ? req->path() : "?") + " " + std::string(s.protocol()));
    };
    h.message = [](socket& s, std::string_view msg, message_kind kind) {
      if (msg == "close-me") {
        s.close(static_cast<close_code>(4000), "as asked");
        return;
      }
      if (msg == "count") {
        int& n = s.state_as<int>();
        s.send(std::to_string(++n));
        return;
      }
      s.send(msg, kind);
    };
    h.ping = [&j](socket&, std::string_view p) { j.add("ping " + std::string(p)); };
    h.pong = [&j](socket&, std::string_view p) { j.add("pong " + std::string(p)); };
    h.close = [&j](socket&, close_code code, std::string_view reason,
                   const lwspp::close_reason& why) {
      std::lock_guard l(j.m);
      j.closes.push_back({static_cast<int>(code), std::string(reason), why});
    };
    return h;
  }

  void start() {
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
  }

  void TearDown() override { run.reset(); }

  // The server (and what its handlers use) outlives the context, which may
  // still run on_close handlers in its destructor.
  journal j;
  lwspp::http::server app;
  lwspp::context ctx;
  std::uint16_t port = 0;
  std::unique_ptr<test::runner> run;
};

TEST_F(ws_server, echo_of_every_length_class) {
  app.ws("/ws", echo(j), {.max_message_size = 1 << 20});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  EXPECT_EQ(p.header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(p.header("upgrade"), "websocket");
  for (std::size_t n : {0, 1, 125, 126, 127, 65535, 65536, 100000, 1 << 20}) {
    const std::string msg = test::pattern(n, 0, n);
    ASSERT_TRUE(p.send(test::op_binary, msg));
    auto f = p.read_message();
    ASSERT_TRUE(f) << n;
    EXPECT_EQ(f->op, test::op_binary);
    EXPECT_FALSE(f->masked);
    EXPECT_EQ(f->payload.size(), n);
    EXPECT_TRUE(f->payload == msg) << n;
  }
  ASSERT_TRUE(p.send(test::op_text, "héllo"));
  auto t = p.read_message();
  ASSERT_TRUE(t);
  EXPECT_EQ(t->op, test::op_text);
  EXPECT_EQ(t->payload, "héllo");
  EXPECT_TRUE(j.has("open /ws "));
}

TEST_F(ws_server, refusals) {
  app.ws("/ws", echo(j), {.origins = {"https://good.example"}});
  app.ws("/guarded", {.upgrade = [](const lwspp::http::request& req, lwspp::http::response& res) {
           if (req.query_param("token") == "yes") {
             res.header("x-welcome", "1");
             return true;
           }
           res.send_error(401);
           return false;
         }});
  app.get("/plain", [](auto&, auto& res) { res.send("plain"); });
  start();
  auto status_of = [&](std::string request, std::string* head = nullptr) {
    ws_peer p(port);
    p.send_raw(request);
    const int s = p.read_head();
    if (head) *head = p.head;
    return s;
  };
  const std::string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  const std::string up = "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  std::string head;
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: x\r\n" + up + "Sec-WebSocket-Version: 13\r\n\r\n"),
            400)
      << "no key";
  EXPECT_EQ(
      status_of("GET /ws HTTP/1.1\r\nHost: x\r\n" + up + key + "Sec-WebSocket-Version: 8\r\n\r\n",
                &head),
      426);
  EXPECT_NE(head.find("sec-websocket-version: 13"), std::string::npos) << head;
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: x\r\n" + up + key + "\r\n"), 426) << "no version";
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: x\r\n" + up +
                      "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n"),
            400)
      << "short key";
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" + key +
                      "Sec-WebSocket-Version: 13\r\n\r\n"),
            400)
      << "an upgrade without Connection: upgrade";
  EXPECT_EQ(status_of("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n", &head), 426) << "plain GET";
  EXPECT_NE(head.find("upgrade: websocket"), std::string::npos) << head;
  EXPECT_EQ(status_of("POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", &head), 405);
  EXPECT_EQ(status_of(ws_peer::request("/ws", "Origin: https://evil.example\r\n")), 403);
  EXPECT_EQ(status_of(ws_peer::request("/ws", "Origin: https://good.example\r\n")), 101);
  EXPECT_EQ(status_of(ws_peer::request("/ws", "Content-Length: 3\r\n") + "abc"), 400);
  EXPECT_EQ(status_of(ws_peer::request("/guarded")), 401);
  EXPECT_EQ(status_of(ws_peer::request("/guarded?token=yes"), &head), 101);
  EXPECT_NE(head.find("x-welcome: 1"), std::string::npos) << head;
  EXPECT_EQ(status_of(ws_peer::request("/plain")), 200) << "an upgrade to a plain route is ignored";
  EXPECT_EQ(status_of(ws_peer::request("/nothing")), 404);
  // HTTP/1.0 cannot upgrade.
  EXPECT_EQ(status_of("GET /ws HTTP/1.0\r\n" + up + key + "Sec-WebSocket-Version: 13\r\n\r\n"),
            400);
}

TEST_F(ws_server, plain_and_websocket_routes_share_a_path) {
  app.get("/both", [](auto&, auto& res) { res.send("page"); });
  app.ws("/both", echo(j));
  app.ws("/room/*", echo(j));
  start();
  {
    ws_peer p(port);
    p.send_raw("GET /both HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(p.read_head(), 200);
  }
  {
    ws_peer p(port);
    ASSERT_EQ(p.handshake("/both"), 101);
    p.send(test::op_text, "hi");
    auto f = p.read_message();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "hi");
  }
  {
    ws_peer p(port);
    ASSERT_EQ(p.handshake("/room/42"), 101);
    EXPECT_TRUE(test::wait_until([&] { return j.has("open /room/42 "); }, 5s));
  }
}

TEST_F(ws_server, frames_pipelined_behind_the_request_head_are_not_lost) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  const std::string after = test::frame_bytes(test::op_text, "first") +
                            test::frame_bytes(test::op_text, "second") +
                            test::frame_bytes(test::op_text, "thi", false);
  ASSERT_EQ(p.handshake("/ws", {}, after), 101);
  p.send(test::op_cont, "rd");
  for (const char* want : {"first", "second", "third"}) {
    auto f = p.read_message();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, want);
  }
}

TEST_F(ws_server, subprotocol_and_extra_headers) {
  app.ws("/ws", echo(j),
         {.protocols = {"chat.v2", "chat.v1"}, .response_headers = {{"x-served-by", "lwspp"}}});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake("/ws", "Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n"), 101);
  EXPECT_EQ(p.header("sec-websocket-protocol"), "chat.v1");
  EXPECT_EQ(p.header("x-served-by"), "lwspp");
  EXPECT_TRUE(test::wait_until([&] { return j.has("open /ws chat.v1"); }, 5s));
  ws_peer q(port);
  ASSERT_EQ(q.handshake("/ws", "Sec-WebSocket-Protocol: other\r\n"), 101);
  EXPECT_EQ(q.header("sec-websocket-protocol"), "");
}

TEST_F(ws_server, fragments_with_a_ping_between_and_per_socket_state) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_text, "frag", false);
  p.send(test::op_ping, "in-between");
  p.send(test::op_cont, "men", false);
  p.send(test::op_cont, "ted", true);
  auto pong = p.read_frame();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->op, test::op_pong);
  EXPECT_EQ(pong->payload, "in-between");
  auto f = p.read_message();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "fragmented");
  for (const char* want : {"1", "2", "3"}) {
    p.send(test::op_text, "count");
    auto c = p.read_message();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->payload, want);
  }
  EXPECT_TRUE(j.has("ping in-between"));
}

TEST_F(ws_server, the_peer_closes) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_close, test::close_payload(1000, "bye"));
  auto f = p.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_close);
  EXPECT_EQ(f->close_code(), 1000);  // echoed
  EXPECT_TRUE(p.eof()) << "the server closes TCP first";
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  const auto c = j.last_close();
  EXPECT_EQ(c.code, 1000);
  EXPECT_EQ(c.reason, "bye");
  EXPECT_TRUE(c.why.is(lwspp::error::peer_closed)) << c.why.message();
  EXPECT_EQ(c.why.protocol_code, 1000);
}

TEST_F(ws_server, an_empty_close_is_echoed_empty) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_close, "");
  auto f = p.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_close);
  EXPECT_EQ(f->payload, "");
  EXPECT_TRUE(p.eof());
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  EXPECT_EQ(j.last_close().code, 1005);
}

TEST_F(ws_server, the_server_closes_and_the_peer_answers) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_text, "close-me");
  auto f = p.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_close);
  EXPECT_EQ(f->close_code(), 4000);
  EXPECT_EQ(f->close_reason(), "as asked");
  p.send(test::op_text, "ignored after the close");
  p.send(test::op_close, test::close_payload(4000));
  EXPECT_TRUE(p.eof());
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  const auto c = j.last_close();
  EXPECT_EQ(c.code, 4000);
  EXPECT_TRUE(c.why.is(lwspp::error::closed_locally)) << c.why.message();
}

TEST_F(ws_server, a_close_without_answer_times_out) {
  app.ws("/ws", echo(j), {.close_timeout = 200ms});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_text, "close-me");
  auto f = p.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_close);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(p.eof(5000));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  const auto c = j.last_close();
  EXPECT_EQ(c.code, 4000);
  EXPECT_NE(c.why.detail.find("no close frame from the peer"), std::string::npos) << c.why.detail;
}

TEST_F(ws_server, protocol_errors_close_with_the_codecs_code) {
  app.ws("/ws", echo(j), {.max_message_size = 1000});
  start();
  struct bad {
    std::string bytes;
    std::uint16_t code;
  };
  const bad cases[] = {
      {test::frame_bytes(test::op_text, "unmasked", true, false), 1002},
      {test::frame_bytes(test::op_text, "\xff\xfe"), 1007},
      {test::frame_bytes(test::op_binary, std::string(1001, 'x')), 1009},
      {test::frame_bytes(3, "reserved opcode"), 1002},
      {test::frame_bytes(test::op_cont, "nothing to continue"), 1002},
      {test::frame_bytes(test::op_text, "rsv1 without deflate", true, true, true), 1002},
  };
  int n = 0;
  for (const bad& b : cases) {
    ws_peer p(port);
    ASSERT_EQ(p.handshake(), 101);
    p.send_raw(b.bytes);
    auto f = p.read_frame();
    ASSERT_TRUE(f) << n;
    EXPECT_EQ(f->op, test::op_close) << n;
    EXPECT_EQ(f->close_code(), b.code) << n;
    EXPECT_TRUE(p.eof()) << n;
    ++n;
    ASSERT_TRUE(
        test::wait_until([&] { return j.close_count() == static_cast<std::size_t>(n); }, 5s));
    const auto c = j.last_close();
    EXPECT_EQ(c.code, b.code);
    EXPECT_TRUE(c.why.is(lwspp::error::protocol_error)) << c.why.message();
    EXPECT_EQ(c.why.protocol_code, b.code);
  }
}

TEST_F(ws_server, a_tcp_close_without_a_close_frame_is_1006) {
  app.ws("/ws", echo(j));
  start();
  {
    ws_peer p(port);
    ASSERT_EQ(p.handshake(), 101);
    ASSERT_TRUE(test::wait_until([&] { return j.opens == 1; }, 5s));
  }
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  const auto c = j.last_close();
  EXPECT_EQ(c.code, 1006);
  EXPECT_TRUE(c.why.is(lwspp::error::peer_closed)) << c.why.message();
}

TEST_F(ws_server, idle_peers_are_pinged_and_dropped_without_an_answer) {
  app.ws("/ws", echo(j), {.ping_interval = 100ms, .pong_timeout = 150ms});
  start();
  ws_peer answering(port);
  ASSERT_EQ(answering.handshake(), 101);
  ws_peer silent(port);
  ASSERT_EQ(silent.handshake(), 101);
  // The answering peer sees pings and answers them: still open after several intervals.
  for (int i = 0; i < 3; ++i) {
    auto f = answering.read_frame(2000);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->op, test::op_ping);
    answering.send(test::op_pong, f->payload);
  }
  auto f = silent.read_frame(2000);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_ping);
  auto c = silent.read_frame(2000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->op, test::op_close);
  EXPECT_EQ(c->close_code(), 1001);
  EXPECT_TRUE(silent.eof());
  answering.send(test::op_text, "still here");
  auto m = answering.read_message();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "still here");
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  EXPECT_TRUE(j.last_close().why.is(lwspp::error::idle_timeout));
}

TEST_F(ws_server, http_keepalive_timeout_does_not_apply_after_the_upgrade) {
  lwspp::http::server_options o;
  o.keepalive_timeout = 100ms;
  lwspp::http::server short_app(o);
  short_app.ws("/ws", echo(j), {.ping_interval = 0ms});
  lwspp::context c2;
  auto vh = short_app.listen(c2, {.listen = "127.0.0.1:0"});
  ASSERT_TRUE(vh);
  test::runner r2(c2);
  ws_peer p((*vh)->bound_address().port());
  ASSERT_EQ(p.handshake(), 101);
  std::this_thread::sleep_for(400ms);
  p.send(test::op_text, "after a quiet while");
  auto m = p.read_message();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, "after a quiet while");
}

TEST_F(ws_server, streaming_receive_and_fragmented_sends) {
  lwspp::ws::handlers h;
  h.fragment = [&](socket& s, const lwspp::ws::message_piece& piece) {
    auto& total = s.state_as<std::size_t>();
    if (piece.first) total = 0;
    total += piece.data.size();
    if (piece.last) {
      // Answer in three pieces.
      s.send_fragment("got ", message_kind::text, false);
      s.send_fragment(std::to_string(total), message_kind::text, false);
      s.send_fragment(" bytes", message_kind::text, true);
    }
  };
  app.ws("/ws", std::move(h), {.max_message_size = 8 << 20});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  const std::string big(3 << 20, 'b');
  p.send(test::op_binary, big.substr(0, 1 << 20), false);
  p.send(test::op_cont, big.substr(1 << 20), true);
  std::vector<test::frame> frames;
  for (int i = 0; i < 3; ++i) {
    auto f = p.read_frame();
    ASSERT_TRUE(f);
    frames.push_back(*f);
  }
  EXPECT_EQ(frames[0].op, test::op_text);
  EXPECT_FALSE(frames[0].fin);
  EXPECT_EQ(frames[1].op, test::op_cont);
  EXPECT_EQ(frames[2].op, test::op_cont);
  EXPECT_TRUE(frames[2].fin);
  EXPECT_EQ(frames[0].payload + frames[1].payload + frames[2].payload, "got 3145728 bytes");
}

TEST_F(ws_server, send_frame_size_splits_large_messages) {
  app.ws("/ws", echo(j), {.send_frame_size = 1000});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  const std::string msg = test::pattern(1, 0, 2500);
  p.send(test::op_binary, msg);
  std::string joined;
  for (int i = 0; i < 3; ++i) {
    auto f = p.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->op, i == 0 ? test::op_binary : test::op_cont);
    EXPECT_EQ(f->fin, i == 2);
    joined += f->payload;
  }
  EXPECT_EQ(joined, msg);
}

TEST_F(ws_server, outgoing_text_must_be_utf8) {
  std::atomic<int> refused{0};
  app.ws("/ws", {.open = [&](socket& s) {
           if (!s.send("\xc3\x28")) ++refused;
           if (!s.send("\xc3", message_kind::binary)) ++refused;  // binary: anything
           s.send("ok");
         }});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  auto f = p.read_message();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_binary);
  auto g = p.read_message();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->payload, "ok");
  EXPECT_EQ(refused, 1);
}

TEST_F(ws_server, deflate_both_ways) {
  app.ws("/ws", echo(j), {.deflate = {.enabled = true, .min_size = 16}});
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake("/ws",
                        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"),
            101);
  EXPECT_EQ(p.header("sec-websocket-extensions").rfind("permessage-deflate", 0), 0u);
  std::string msg;
  for (int i = 0; i < 2000; ++i)
    msg += "compressible text " + std::to_string(i % 10) + " ";
  // Each message on its own (no context): the test's compressor starts fresh.
  p.send(test::op_text, test::deflate_message(msg), true, true);
  auto f = p.read_message();
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->rsv1) << "compressed back";
  EXPECT_LT(f->payload.size(), msg.size() / 4);
  auto back = test::inflate_message(f->payload);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, msg);
  // Small messages go uncompressed; uncompressed ones from the peer are fine.
  p.send(test::op_text, "tiny");
  auto t = p.read_message();
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->rsv1);
  EXPECT_EQ(t->payload, "tiny");
  // Not offered: not used.
  ws_peer q(port);
  ASSERT_EQ(q.handshake(), 101);
  EXPECT_EQ(q.header("sec-websocket-extensions"), "");
  q.send(test::op_text, msg);
  auto u = q.read_message();
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->rsv1);
  EXPECT_EQ(u->payload, msg);
}

TEST_F(ws_server, handles_send_in_order_from_another_thread_and_close) {
  std::mutex m;
  lwspp::ws::socket_handle handle;
  std::atomic<bool> have{false};
  lwspp::ws::handlers h = echo(j);
  h.open = [&](socket& s) {
    std::lock_guard l(m);
    handle = s.handle();
    have = true;
  };
  app.ws("/ws", std::move(h));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  ASSERT_TRUE(test::wait_until([&] { return have.load(); }, 5s));
  lwspp::ws::socket_handle hd;
  {
    std::lock_guard l(m);
    hd = handle;
  }
  std::thread worker([hd] {
    for (int i = 0; i < 500; ++i)
      hd.send("msg " + std::to_string(i), i % 2 ? message_kind::binary : message_kind::text);
    hd.close(close_code::going_away, "worker done");
  });
  for (int i = 0; i < 500; ++i) {
    auto f = p.read_message();
    ASSERT_TRUE(f) << i;
    EXPECT_EQ(f->payload, "msg " + std::to_string(i));
    EXPECT_EQ(f->op, i % 2 ? test::op_binary : test::op_text);
  }
  worker.join();
  auto c = p.read_frame();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->op, test::op_close);
  EXPECT_EQ(c->close_code(), 1001);
  p.send(test::op_close, test::close_payload(1001));
  EXPECT_TRUE(p.eof());
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 5s));
  EXPECT_TRUE(hd.expired() || !hd.send("late"));
  run.reset();
  EXPECT_FALSE(hd.send("after the context"));
}

TEST_F(ws_server, backpressure_refuse_then_drain) {
  std::atomic<int> refused{0};
  std::atomic<int> drained{0};
  std::atomic<std::size_t> max_buffered{0};
  const std::string chunk(64 * 1024, 'p');
  auto pump = [&](socket& s) {
    for (;;) {
      const lwspp::send_result r = s.send(chunk, message_kind::binary);
      max_buffered = std::max<std::size_t>(max_buffered, s.buffered());
      if (!r) {
        ++refused;
        return;
      }
    }
  };
  app.ws("/ws",
         {.open = [&](socket& s) { pump(s); },
          .drain =
              [&](socket& s) {
                if (++drained < 3) pump(s);
              }},
         {.max_backpressure = 512 * 1024});
  start();
  ws_peer p(port, 64 * 1024);
  ASSERT_EQ(p.handshake(), 101);
  ASSERT_TRUE(test::wait_until([&] { return refused == 1; }, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(refused, 1) << "nothing more until the peer reads";
  EXPECT_LE(max_buffered.load(), 512u * 1024 + chunk.size() + 14);
  // Reading lets it drain; the handler goes on twice more.
  std::size_t got = 0;
  while (refused < 3 || got < 100) {
    auto f = p.read_frame(2000);
    if (!f) break;
    ++got;
  }
  EXPECT_EQ(refused, 3);
  EXPECT_GE(drained, 2);
}

TEST_F(ws_server, backpressure_close_policy_closes_the_slow_peer) {
  const std::string chunk(64 * 1024, 'p');
  app.ws("/ws",
         {.open =
              [&](socket& s) {
                while (s.send(chunk, message_kind::binary)) {
                }
              },
          .close =
              [&](socket&, close_code code, std::string_view, const lwspp::close_reason& why) {
                std::lock_guard l(j.m);
                j.closes.push_back({static_cast<int>(code), "", why});
              }},
         {.max_backpressure = 256 * 1024,
          .on_backpressure = lwspp::ws::backpressure_policy::close_try_again_later});
  start();
  ws_peer p(port, 64 * 1024);
  ASSERT_EQ(p.handshake(), 101);
  // Read everything: the last frame is the close.
  std::optional<test::frame> last;
  while (auto f = p.read_frame(3000)) {
    last = f;
    if (f->op == test::op_close) break;
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->op, test::op_close);
  EXPECT_EQ(last->close_code(), 1013);
  EXPECT_TRUE(p.eof());
  ASSERT_TRUE(test::wait_until([&] { return j.close_count() == 1; }, 15s));
  EXPECT_TRUE(j.last_close().why.is(lwspp::error::write_buffer_full))
      << j.last_close().why.message();
}

TEST_F(ws_server, a_graceful_stop_closes_with_1001) {
  app.ws("/ws", echo(j));
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  ASSERT_TRUE(test::wait_until([&] { return j.opens == 1; }, 5s));
  ctx.stop();
  auto f = p.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->op, test::op_close);
  EXPECT_EQ(f->close_code(), 1001);
  p.send(test::op_close, test::close_payload(1001));
  EXPECT_TRUE(p.eof());
  run->join();
  ASSERT_EQ(j.close_count(), 1u);
  EXPECT_TRUE(j.last_close().why.is(lwspp::error::server_stopping));
  run.reset();
}

TEST_F(ws_server, pause_and_resume_reading) {
  std::atomic<int> got{0};
  lwspp::ws::socket_handle hd;
  std::mutex m;
  app.ws("/ws", {.message = [&](socket& s, std::string_view, message_kind) {
           if (++got == 1) {
             s.pause_reading();
             std::lock_guard l(m);
             hd = s.handle();
           }
         }});
  start();
  ws_peer p(port);
  std::string burst;
  for (int i = 0; i < 10; ++i)
    burst += test::frame_bytes(test::op_text, "m" + std::to_string(i));
  ASSERT_EQ(p.handshake("/ws", {}, burst), 101);
  ASSERT_TRUE(test::wait_until([&] { return got == 1; }, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(got, 1) << "paused inside the first message's handler";
  lwspp::ws::socket_handle h2;
  {
    std::lock_guard l(m);
    h2 = hd;
  }
  h2.dispatch([](socket& s) { s.resume_reading(); });
  EXPECT_TRUE(test::wait_until([&] { return got == 10; }, 5s)) << got;
}

}  // namespace
