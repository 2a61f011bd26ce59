// lwspp-test-labels: threads
// WebSocket pub/sub end to end over loopback, with the test's own client
// (ws_peer.hpp): subscribers on several loops each get every message once,
// in the order each publishing thread published; publish from foreign
// threads and from handlers; unsubscribe, and leaving on close (with and
// without a close frame); slow subscribers under each backpressure policy
// with a bounded queue; permessage-deflate subscribers with and without
// context takeover on one topic; frames split by send_frame_size; many
// topics on one socket.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lwspp/http_server.hpp"
#include "lwspp/ws_pubsub.hpp"
#include "ws_peer.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::ws::message_kind;
using lwspp::ws::socket;
using test::ws_peer;

// Commands a peer sends: "sub:T", "unsub:T", "pub:T:text", "subs:N" (N
// topics t0..tN-1). Each is answered "ok"/"no" (pub: nothing).
lwspp::ws::handlers commands() {
  lwspp::ws::handlers h;
  h.message = [](socket& s, std::string_view m, message_kind) {
    if (m.starts_with("sub:")) {
      s.send(s.subscribe(m.substr(4)) ? "ok" : "no");
    } else if (m.starts_with("unsub:")) {
      s.send(s.unsubscribe(m.substr(6)) ? "ok" : "no");
    } else if (m.starts_with("pub:")) {
      const std::string_view rest = m.substr(4);
      const std::size_t colon = rest.find(':');
      s.publish(rest.substr(0, colon), rest.substr(colon + 1));
    } else if (m.starts_with("subs:")) {
      const int n = std::stoi(std::string(m.substr(5)));
      bool all = true;
      for (int i = 0; i < n; ++i)
        all = s.subscribe("t" + std::to_string(i)) && all;
      s.send(all ? "ok" : "no");
    }
  };
  return h;
}

// A peer subscribed to `topic` (the answer read).
std::unique_ptr<ws_peer> subscriber(std::uint16_t port, std::string_view topic,
                                    std::string_view path = "/ps", std::string_view extra = {},
                                    int rcvbuf = 0) {
  auto p = std::make_unique<ws_peer>(port, rcvbuf);
  EXPECT_EQ(p->handshake(path, extra), 101);
  p->send(test::op_text, "sub:" + std::string(topic));
  auto f = p->read_message();
  EXPECT_TRUE(f && f->payload == "ok");
  return p;
}

class ws_pubsub : public ::testing::Test {
 protected:
  void start(unsigned loops = 1) {
    ctx = std::make_unique<lwspp::context>(lwspp::context_options{.loops = loops});
    // A slow subscriber closed by policy never reads its close frame: a
    // short flush timeout ends its connection soon.
    auto vh = app.listen(*ctx, {.listen = "127.0.0.1:0", .connection = {.close_timeout = 1s}});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(*ctx);
  }
  void TearDown() override {
    run.reset();
    ctx.reset();
  }
  std::size_t subscribers(std::string_view topic) {
    return lwspp::ws::subscriber_count(*ctx, topic);
  }

  lwspp::http::server app;  // outlives the context
  std::unique_ptr<lwspp::context> ctx;
  std::uint16_t port = 0;
  std::unique_ptr<test::runner> run;
};

TEST_F(ws_pubsub, publish_from_a_foreign_thread_reaches_each_subscriber_once) {
  app.ws("/ps", commands());
  start();
  std::vector<std::unique_ptr<ws_peer>> peers;
  for (int i = 0; i < 3; ++i)
    peers.push_back(subscriber(port, "news"));
  auto other = subscriber(port, "sport");
  EXPECT_EQ(subscribers("news"), 3u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "news", "hello"), 3u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "news", std::string("\x00\xff", 2), message_kind::binary), 3u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "nobody", "lost"), 0u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "news", "\xc3\x28"), 0u) << "text that is not UTF-8";
  for (auto& p : peers) {
    auto a = p->read_message();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->op, test::op_text);
    EXPECT_EQ(a->payload, "hello");
    auto b = p->read_message();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->op, test::op_binary);
    EXPECT_EQ(b->payload, std::string("\x00\xff", 2));
    EXPECT_FALSE(p->read_message(200)) << "exactly once";
  }
  EXPECT_FALSE(other->read_message(100));
  const auto st = lwspp::ws::pubsub_counters(*ctx);
  EXPECT_EQ(st.published, 2u);
  EXPECT_EQ(st.delivered, 6u);
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_EQ(st.topics, 2u);
  EXPECT_EQ(st.subscriptions, 4u);
}

// Four loops, subscribers spread over them by the kernel, two publishing
// threads: every subscriber gets every message once, each thread's in order.
TEST_F(ws_pubsub, across_loops_every_subscriber_gets_everything_in_publisher_order) {
  std::mutex m;
  std::map<std::size_t, int> per_loop;
  auto h = commands();
  h.open = [&](socket& s) {
    std::lock_guard l(m);
    ++per_loop[s.conn().get_loop().index_in_context()];
  };
  app.ws("/ps", std::move(h));
  start(4);
  constexpr int subs = 24, per_thread = 300;
  std::vector<std::unique_ptr<ws_peer>> peers;
  for (int i = 0; i < subs; ++i)
    peers.push_back(subscriber(port, "feed"));
  ASSERT_EQ(subscribers("feed"), static_cast<std::size_t>(subs));
  {
    std::lock_guard l(m);
    EXPECT_GT(per_loop.size(), 1u) << "the kernel put every connection on one loop";
  }
  std::vector<std::thread> pubs;
  for (int t = 0; t < 2; ++t) {
    pubs.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        lwspp::ws::publish(*ctx, "feed", std::to_string(t) + ":" + std::to_string(i));
    });
  }
  for (auto& t : pubs)
    t.join();
  for (auto& p : peers) {
    int next[2] = {0, 0};
    for (int k = 0; k < 2 * per_thread; ++k) {
      auto f = p->read_message();
      ASSERT_TRUE(f) << "message " << k;
      const int t = f->payload[0] - '0';
      ASSERT_TRUE(t == 0 || t == 1);
      EXPECT_EQ(std::stoi(f->payload.substr(2)), next[t]) << "thread " << t << " out of order";
      ++next[t];
    }
    EXPECT_FALSE(p->read_message(100)) << "a duplicate";
  }
  ASSERT_TRUE(test::wait_until(
      [&] { return lwspp::ws::pubsub_counters(*ctx).delivered == 2u * per_thread * subs; }));
  EXPECT_EQ(lwspp::ws::pubsub_counters(*ctx).published, 2u * per_thread);
}

TEST_F(ws_pubsub, a_handler_publishes_to_the_room_and_itself) {
  app.ws("/ps", commands());
  start(2);
  auto a = subscriber(port, "room");
  auto b = subscriber(port, "room");
  a->send(test::op_text, "pub:room:hi all");
  for (auto* p : {a.get(), b.get()}) {
    auto f = p->read_message();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "hi all");
  }
}

TEST_F(ws_pubsub, unsubscribe_and_close_leave_the_topic) {
  app.ws("/ps", commands());
  start(2);
  auto a = subscriber(port, "x");
  auto b = subscriber(port, "x");
  auto c = subscriber(port, "x");
  auto d = subscriber(port, "x");
  EXPECT_EQ(subscribers("x"), 4u);
  // Twice subscribed: refused; unsubscribe; unsubscribe again: refused.
  a->send(test::op_text, "sub:x");
  EXPECT_EQ(a->read_message()->payload, "no");
  a->send(test::op_text, "unsub:x");
  EXPECT_EQ(a->read_message()->payload, "ok");
  a->send(test::op_text, "unsub:x");
  EXPECT_EQ(a->read_message()->payload, "no");
  EXPECT_EQ(subscribers("x"), 3u);
  // A closing handshake, and a peer that vanishes without one.
  b->send(test::op_close, test::close_payload(1000));
  EXPECT_TRUE(b->eof());
  c.reset();
  ASSERT_TRUE(test::wait_until([&] { return subscribers("x") == 1; }));
  EXPECT_EQ(lwspp::ws::publish(*ctx, "x", "left"), 1u);
  EXPECT_EQ(d->read_message()->payload, "left");
  EXPECT_FALSE(a->read_message(100));
  d.reset();
  ASSERT_TRUE(test::wait_until([&] { return lwspp::ws::pubsub_counters(*ctx).topics == 0; }));
  EXPECT_EQ(lwspp::ws::pubsub_counters(*ctx).subscriptions, 0u);
}

TEST_F(ws_pubsub, many_topics_on_one_socket_go_with_its_close) {
  app.ws("/ps", commands());
  start();
  auto p = std::make_unique<ws_peer>(port);
  ASSERT_EQ(p->handshake("/ps"), 101);
  p->send(test::op_text, "subs:3000");
  EXPECT_EQ(p->read_message()->payload, "ok");
  auto q = subscriber(port, "t1500");
  EXPECT_EQ(lwspp::ws::pubsub_counters(*ctx).topics, 3000u);
  EXPECT_EQ(lwspp::ws::pubsub_counters(*ctx).subscriptions, 3001u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "t1500", "mid"), 2u);
  EXPECT_EQ(p->read_message()->payload, "mid");
  EXPECT_EQ(q->read_message()->payload, "mid");
  p.reset();
  ASSERT_TRUE(test::wait_until([&] { return lwspp::ws::pubsub_counters(*ctx).topics == 1; }));
  EXPECT_EQ(subscribers("t1500"), 1u);
  EXPECT_EQ(lwspp::ws::publish(*ctx, "t1500", "after"), 1u);
  EXPECT_EQ(q->read_message()->payload, "after");
}

// A subscriber that never reads, beside one that does. Under refuse it
// skips messages (its queue stays under the limit plus one message) and
// gets the ones after it drains, in order; under the closing policies it
// is closed. The reader gets everything either way.
class ws_pubsub_slow : public ws_pubsub,
                       public ::testing::WithParamInterface<lwspp::ws::backpressure_policy> {};

TEST_P(ws_pubsub_slow, slow_subscriber_follows_the_policy_with_bounded_memory) {
  constexpr std::size_t limit = 256 * 1024;
  constexpr std::size_t msg_size = 32 * 1024;
  constexpr int count = 200;  // 6.4 MB: far past what the socket buffers hold
  // Shared with the handler, not a local it refers to: the context (a
  // fixture member) outlives this body, and the fast subscriber's close
  // handler runs when TearDown stops it.
  auto close_code = std::make_shared<std::atomic<int>>(0);
  auto h = commands();
  h.close = [close_code](socket&, lwspp::ws::close_code c, std::string_view,
                         const lwspp::close_reason&) { *close_code = static_cast<int>(c); };
  app.ws("/ps", std::move(h), {.max_backpressure = limit, .on_backpressure = GetParam()});
  start(2);
  auto fast = subscriber(port, "bulk");
  auto slow = subscriber(port, "bulk", "/ps", {}, 4096);
  std::atomic<int> read{0};
  std::thread reader([&] {
    for (int i = 0; i < count; ++i) {
      auto f = fast->read_message(10000);
      ASSERT_TRUE(f) << i;
      ASSERT_EQ(f->payload, test::pattern(i, 0, msg_size)) << i;
      read = i + 1;
    }
  });
  for (int i = 0; i < count; ++i) {
    // The fast one is never more than four messages (128 KiB, half the
    // limit) behind, however loaded the machine: only the slow one is slow.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (read.load() < i - 4 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(1ms);
    lwspp::ws::publish(*ctx, "bulk", test::pattern(i, 0, msg_size), message_kind::binary);
  }
  reader.join();
  const bool refuse = GetParam() == lwspp::ws::backpressure_policy::refuse;
  ASSERT_TRUE(test::wait_until([&] {
    const auto st = lwspp::ws::pubsub_counters(*ctx);
    return refuse ? st.delivered + st.skipped == 2u * count : st.closed == 1;
  }));
  const auto st = lwspp::ws::pubsub_counters(*ctx);
  if (refuse) {
    EXPECT_GT(st.skipped, 0u);
    EXPECT_EQ(st.closed, 0u);
    EXPECT_EQ(st.delivered + st.skipped, 2u * count);
    // What the slow one did get: a prefix in order, then later ones, each
    // whole and none twice.
    int last = -1, got = 0;
    while (auto f = slow->read_message(500)) {
      ASSERT_EQ(f->payload.size(), msg_size);
      int idx = -1;
      for (int i = last + 1; i < count && idx < 0; ++i)
        if (f->payload == test::pattern(i, 0, msg_size)) idx = i;
      ASSERT_GT(idx, last) << "out of order or duplicated";
      last = idx;
      ++got;
    }
    EXPECT_EQ(static_cast<std::uint64_t>(got), st.delivered - count);
    EXPECT_EQ(subscribers("bulk"), 2u);
  } else {
    EXPECT_EQ(st.closed, 1u);
    ASSERT_TRUE(test::wait_until([&] { return subscribers("bulk") == 1; }));
    ASSERT_TRUE(test::wait_until([&] { return *close_code != 0; }));
    EXPECT_EQ(close_code->load(),
              GetParam() == lwspp::ws::backpressure_policy::close_policy ? 1008 : 1013);
  }
}

INSTANTIATE_TEST_SUITE_P(policies, ws_pubsub_slow,
                         ::testing::Values(lwspp::ws::backpressure_policy::refuse,
                                           lwspp::ws::backpressure_policy::close_policy,
                                           lwspp::ws::backpressure_policy::close_try_again_later));

// The queue of a subscriber that never reads stays within max_backpressure
// plus one frame, however much is published.
TEST_F(ws_pubsub, a_stalled_subscriber_queue_stays_bounded) {
  constexpr std::size_t limit = 128 * 1024;
  constexpr std::size_t msg_size = 20000;
  std::atomic<std::size_t> most{0};
  std::mutex m;
  lwspp::ws::socket_handle slow_handle;
  auto h = commands();
  h.open = [&](socket& s) {
    std::lock_guard l(m);
    slow_handle = s.handle();
  };
  app.ws("/ps", std::move(h), {.max_backpressure = limit});
  start();
  auto slow = subscriber(port, "b", "/ps", {}, 4096);
  for (int i = 0; i < 300; ++i) {
    lwspp::ws::publish(*ctx, "b", test::pattern(i, 0, msg_size), message_kind::binary);
    std::lock_guard l(m);
    slow_handle.dispatch([&](socket& s) {
      std::size_t b = s.buffered(), cur = most.load();
      while (b > cur && !most.compare_exchange_weak(cur, b)) {
      }
    });
  }
  ASSERT_TRUE(test::wait_until([&] {
    const auto st = lwspp::ws::pubsub_counters(*ctx);
    return st.delivered + st.skipped == 300;
  }));
  // The kernel's buffers take a few MB on loopback; the rest is skipped.
  EXPECT_GT(lwspp::ws::pubsub_counters(*ctx).skipped, 100u);
  EXPECT_GT(most.load(), limit / 2);
  EXPECT_LE(most.load(), limit + msg_size + 14);
}

// A streaming inflater for one direction with context takeover (the test's
// own zlib use): each message's bytes plus 00 00 FF FF, one window kept.
class stream_inflater {
 public:
  stream_inflater() { inflateInit2(&z_, -15); }
  ~stream_inflater() { inflateEnd(&z_); }
  std::optional<std::string> message(std::string in) {
    in.append("\0\0\xff\xff", 4);
    std::string out;
    char buf[65536];
    z_.next_in = reinterpret_cast<Bytef*>(in.data());
    z_.avail_in = static_cast<uInt>(in.size());
    while (z_.avail_in > 0) {
      z_.next_out = reinterpret_cast<Bytef*>(buf);
      z_.avail_out = sizeof buf;
      const int rc = inflate(&z_, Z_SYNC_FLUSH);
      if (rc != Z_OK && rc != Z_BUF_ERROR) return std::nullopt;
      out.append(buf, sizeof buf - z_.avail_out);
      if (rc == Z_BUF_ERROR) break;
    }
    return out;
  }

 private:
  z_stream z_{};
};

TEST_F(ws_pubsub, deflate_subscribers_with_and_without_context_takeover) {
  // Two routes on one topic: one resets its compressor per message (frames
  // shared), one keeps its window (compressed for it alone).
  app.ws("/shared", commands(),
         {.deflate = {.enabled = true, .server_no_context_takeover = true, .min_size = 32}});
  app.ws("/own", commands(), {.deflate = {.enabled = true, .min_size = 32}});
  app.ws("/plain", commands(), {.send_frame_size = 100});
  start(2);
  const std::string offer = "Sec-WebSocket-Extensions: permessage-deflate\r\n";
  auto s1 = subscriber(port, "z", "/shared", offer);
  auto s2 = subscriber(port, "z", "/shared", offer);
  auto own = subscriber(port, "z", "/own", offer);
  auto plain = subscriber(port, "z", "/plain");
  EXPECT_NE(s1->header("sec-websocket-extensions").find("server_no_context_takeover"),
            std::string::npos);
  EXPECT_EQ(own->header("sec-websocket-extensions").find("server_no_context_takeover"),
            std::string::npos);
  std::vector<std::string> msgs;
  for (int i = 0; i < 20; ++i)
    msgs.push_back("message " + std::to_string(i) + ": " + std::string(200 + i * 37, 'a' + i % 26));
  msgs.push_back("short");  // under min_size: uncompressed for all
  for (const auto& m : msgs)
    ASSERT_EQ(lwspp::ws::publish(*ctx, "z", m), 4u);
  stream_inflater own_window;
  for (const auto& m : msgs) {
    const bool big = m.size() >= 32;
    for (auto* p : {s1.get(), s2.get()}) {
      auto f = p->read_message();
      ASSERT_TRUE(f);
      EXPECT_EQ(f->rsv1, big);
      EXPECT_EQ(big ? test::inflate_message(f->payload) : f->payload, m);
    }
    auto o = own->read_message();
    ASSERT_TRUE(o);
    EXPECT_EQ(o->rsv1, big);
    EXPECT_EQ(big ? own_window.message(o->payload) : o->payload, m);
    // Frames of 100 bytes at most, joined by read_message.
    auto q = plain->read_message();
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->rsv1);
    EXPECT_EQ(q->payload, m);
  }
  ASSERT_TRUE(test::wait_until(
      [&] { return lwspp::ws::pubsub_counters(*ctx).delivered == 4 * msgs.size(); }));
}

}  // namespace
