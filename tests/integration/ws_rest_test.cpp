// lwspp-test-labels: threads
// Resting server WebSockets (ws/server_session.hpp): an open socket with
// nothing in flight gives its session object back to a per-thread pool and
// costs only its connection. These tests count the session objects a loop
// made while many sockets sit idle, and check that a resting socket keeps
// everything a user can see: its subprotocol, its state_as<T> state, its
// handle (a send from another thread wakes it), pings, and each way of
// closing. Sockets that must keep state (subscribed, deflate) do not rest.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "lwspp/http_server.hpp"
#include "ws/server_session.hpp"
#include "ws_peer.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::ws::message_kind;
using lwspp::ws::socket;
using test::ws_peer;
using pool_stats = lwspp::ws::detail::server_session::pool_stats;

class ws_rest : public ::testing::Test {
 protected:
  void start() {
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
  }
  void TearDown() override { run.reset(); }

  // The session pool of the (one) service loop, read on its thread.
  pool_stats stats() {
    std::promise<pool_stats> p;
    ctx.get_loop().post([&] { p.set_value(lwspp::ws::detail::server_session::stats()); });
    return p.get_future().get();
  }

  lwspp::ws::handlers handlers() {
    lwspp::ws::handlers h;
    h.open = [this](socket& s) {
      std::lock_guard l(m);
      handles.push_back(s.handle());
    };
    h.message = [](socket& s, std::string_view msg, message_kind kind) {
      if (msg == "count") {
        s.send(std::to_string(++s.state_as<int>()));
      } else if (msg == "proto") {
        s.send(s.protocol());
      } else if (msg == "subscribe") {
        s.send(s.subscribe("room") ? "subscribed" : "refused");
      } else {
        s.send(msg, kind);
      }
    };
    h.close = [this](socket&, lwspp::ws::close_code code, std::string_view,
                     const lwspp::close_reason&) {
      std::lock_guard l(m);
      codes.push_back(static_cast<int>(code));
    };
    return h;
  }

  std::mutex m;
  std::vector<lwspp::ws::socket_handle> handles;
  std::vector<int> codes;
  lwspp::http::server app;
  lwspp::context ctx;
  std::uint16_t port = 0;
  std::unique_ptr<test::runner> run;
};

std::string reply(ws_peer& p, std::string_view msg) {
  if (!p.send(test::op_text, msg)) return "(send failed)";
  auto f = p.read_message();
  return f ? f->payload : "(nothing)";
}

TEST_F(ws_rest, idle_sockets_share_a_few_pooled_sessions_and_keep_their_state) {
  app.ws("/ws", handlers(), {.protocols = {"alpha", "beta"}});
  start();
  constexpr int n = 40;
  std::vector<std::unique_ptr<ws_peer>> peers;
  for (int i = 0; i < n; ++i) {
    peers.push_back(std::make_unique<ws_peer>(port));
    const std::string offer =
        std::string("Sec-WebSocket-Protocol: ") + (i % 2 ? "beta" : "alpha") + "\r\n";
    ASSERT_EQ(peers.back()->handshake("/ws", offer), 101) << i;
  }
  // Opened one after the other, each rested before the next came: a few
  // session objects served all forty.
  const pool_stats after_open = stats();
  EXPECT_LE(after_open.made, 3u) << "idle sockets kept their sessions";
  EXPECT_GE(after_open.pooled, 1u);
  // Woken by a message, each is still itself: its subprotocol and its state.
  for (int round = 1; round <= 2; ++round)
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(reply(*peers[static_cast<std::size_t>(i)], "count"), std::to_string(round)) << i;
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(reply(*peers[static_cast<std::size_t>(i)], "proto"), i % 2 ? "beta" : "alpha");
  EXPECT_LE(stats().made, 3u);
}

TEST_F(ws_rest, a_handle_wakes_a_resting_socket_from_another_thread) {
  app.ws("/ws", handlers());
  start();
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(m);
    return handles.size() == 1;
  }));
  ASSERT_TRUE(test::wait_until([&] { return stats().pooled >= 1; })) << "never rested";
  lwspp::ws::socket_handle h;
  {
    std::lock_guard l(m);
    h = handles[0];
  }
  std::thread([&] {
    for (int i = 0; i < 3; ++i)
      h.send("from afar " + std::to_string(i));
  }).join();
  for (int i = 0; i < 3; ++i) {
    auto f = p.read_message();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "from afar " + std::to_string(i));
  }
  // And it rests again afterwards.
  EXPECT_TRUE(test::wait_until([&] { return stats().pooled >= 1; }));
  EXPECT_EQ(reply(p, "echo"), "echo");
}

TEST_F(ws_rest, a_resting_socket_is_pinged_and_closes_every_way) {
  app.ws("/ws", handlers(), {.ping_interval = 100ms, .pong_timeout = 150ms});
  start();
  // Pinged while resting; the answer keeps it open.
  ws_peer answering(port);
  ASSERT_EQ(answering.handshake(), 101);
  for (int i = 0; i < 2; ++i) {
    auto f = answering.read_frame(2000);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->op, test::op_ping);
    answering.send(test::op_pong, f->payload);
  }
  EXPECT_EQ(reply(answering, "still"), "still");
  // A close frame to a resting socket is answered with its code.
  answering.send(test::op_close, test::close_payload(4001, "bye"));
  auto c = answering.read_frame(2000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->op, test::op_close);
  EXPECT_EQ(c->close_code(), 4001);
  EXPECT_TRUE(answering.eof());
  // A TCP close without a close frame: 1006.
  {
    ws_peer gone(port);
    ASSERT_EQ(gone.handshake(), 101);
    std::this_thread::sleep_for(30ms);
  }
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard l(m);
    return codes.size() == 2;
  }));
  {
    std::lock_guard l(m);
    EXPECT_EQ(codes[0], 4001);
    EXPECT_EQ(codes[1], 1006);
  }
  // A graceful stop reaches resting sockets: 1001.
  ws_peer last(port);
  ASSERT_EQ(last.handshake(), 101);
  ASSERT_TRUE(test::wait_until([&] { return stats().pooled >= 1; }));
  ctx.stop();
  auto s = last.read_frame(2000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->op, test::op_close);
  EXPECT_EQ(s->close_code(), 1001);
}

TEST_F(ws_rest, subscribed_and_deflate_sockets_keep_their_sessions) {
  app.ws("/ws", handlers());
  app.ws("/z", handlers(), {.deflate = {.enabled = true}});
  start();
  std::vector<std::unique_ptr<ws_peer>> peers;
  for (int i = 0; i < 5; ++i) {
    peers.push_back(std::make_unique<ws_peer>(port));
    ASSERT_EQ(peers.back()->handshake(), 101);
    ASSERT_EQ(reply(*peers.back(), "subscribe"), "subscribed");
  }
  const std::size_t subscribed = stats().made;
  EXPECT_GE(subscribed, 5u) << "subscribers rested although the topics hold them";
  for (int i = 0; i < 3; ++i) {
    peers.push_back(std::make_unique<ws_peer>(port));
    ASSERT_EQ(peers.back()->handshake("/z", "Sec-WebSocket-Extensions: permessage-deflate\r\n"),
              101);
    ASSERT_NE(peers.back()->header("sec-websocket-extensions").find("permessage-deflate"),
              std::string::npos);
  }
  EXPECT_GE(stats().made, subscribed + 3) << "deflate sockets rested with their zlib state";
}

}  // namespace
