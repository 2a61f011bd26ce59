// lwspp-test-labels: threads
// Hostile WebSocket peers against the server, on raw sockets: unmasked
// frames, a 2^63 length, lengths over the limit announced before any
// payload, invalid UTF-8 split across fragments and TCP writes, oversize and
// fragmented control frames, a deflate bomb, and peers that never read (a
// flood of messages or of pings). Each is closed with the right code, its
// memory stays bounded, and a well-behaved client is served meanwhile.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "lwspp/http_server.hpp"
#include "ws_peer.hpp"

namespace {

using namespace std::chrono_literals;
using lwspp::ws::message_kind;
using lwspp::ws::socket;
using test::ws_peer;

class ws_hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    lwspp::ws::handlers h;
    h.message = [this](socket& s, std::string_view msg, message_kind kind) {
      const lwspp::send_result r = s.send(msg, kind);
      std::size_t seen = max_buffered.load();
      while (r.buffered > seen && !max_buffered.compare_exchange_weak(seen, r.buffered)) {
      }
      if (!r) ++refused;
    };
    h.open = [this](socket& s) {
      std::lock_guard l(m);
      handles.push_back(s.handle());
    };
    app.ws("/ws", std::move(h),
           {.max_message_size = 1 << 20,
            .max_backpressure = 256 * 1024,
            .deflate = {.enabled = true}});
    auto vh = app.listen(ctx, {.listen = "127.0.0.1:0"});
    ASSERT_TRUE(vh) << vh.error().message();
    port = (*vh)->bound_address().port();
    run = std::make_unique<test::runner>(ctx);
  }
  void TearDown() override { run.reset(); }

  // The server answers a well-behaved client while the hostile one is around.
  void others_are_served() {
    ws_peer good(port);
    ASSERT_EQ(good.handshake(), 101);
    const auto t0 = std::chrono::steady_clock::now();
    good.send(test::op_text, "still serving");
    auto f = good.read_message(5000);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "still serving");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  }

  // Sends `bytes` after a good handshake; the close code the server sends,
  // after which it must close the connection. 0: no close frame.
  int close_code_for(std::string_view bytes, std::string_view extra = {}, int write_size = 0) {
    ws_peer p(port);
    if (p.handshake("/ws", extra) != 101) return -1;
    if (write_size == 0) {
      p.send_raw(bytes);
    } else {
      for (std::size_t i = 0; i < bytes.size(); i += static_cast<std::size_t>(write_size))
        p.send_raw(bytes.substr(i, static_cast<std::size_t>(write_size)));
    }
    for (;;) {
      auto f = p.read_frame(5000);
      if (!f) return 0;
      if (f->op != test::op_close) continue;
      EXPECT_TRUE(p.eof()) << "the connection closes after the close frame";
      return f->close_code();
    }
  }

  std::mutex m;
  std::vector<lwspp::ws::socket_handle> handles;
  std::atomic<std::size_t> max_buffered{0};
  std::atomic<int> refused{0};
  lwspp::http::server app;
  lwspp::context ctx;
  std::uint16_t port = 0;
  std::unique_ptr<test::runner> run;
};

const unsigned char key[4] = {1, 2, 3, 4};

TEST_F(ws_hostile, unmasked_frames) {
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_text, "no mask", true, false)), 1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_ping, "", true, false)), 1002);
  others_are_served();
}

TEST_F(ws_hostile, lengths) {
  // 2^63: the top bit of a 64-bit length is not allowed.
  EXPECT_EQ(close_code_for(test::frame_head(test::op_binary, true, 1ull << 63, true, key)), 1002);
  // 2^63 - 1 and 2^40: legal, but over the limit: refused at the header,
  // without waiting for (or buffering) any payload.
  EXPECT_EQ(close_code_for(test::frame_head(test::op_binary, true, (1ull << 63) - 1, true, key)),
            1009);
  EXPECT_EQ(close_code_for(test::frame_head(test::op_binary, true, 1ull << 40, true, key)), 1009);
  // Non-minimal length encodings.
  EXPECT_EQ(
      close_code_for(test::frame_head(test::op_binary, true, 5, true, key, false, 2) + "abcde"),
      1002);
  EXPECT_EQ(close_code_for(test::frame_head(test::op_binary, true, 300, true, key, false, 8) +
                           std::string(300, 'x')),
            1002);
  // A message over the limit in many small fragments.
  std::string many = test::frame_bytes(test::op_binary, std::string(60000, 'a'), false);
  for (int i = 0; i < 20; ++i)
    many += test::frame_bytes(test::op_cont, std::string(60000, 'a'), false);
  EXPECT_EQ(close_code_for(many), 1009);
  others_are_served();
}

TEST_F(ws_hostile, invalid_utf8_across_fragments_and_writes) {
  // "κ" is CE BA: the first byte ends one fragment, a bad continuation starts the next.
  const std::string split = test::frame_bytes(test::op_text, "ok \xce", false) +
                            test::frame_bytes(test::op_cont, "\x28 bad", true);
  EXPECT_EQ(close_code_for(split), 1007);
  EXPECT_EQ(close_code_for(split, {}, 1), 1007) << "one byte per write";
  // A message that ends inside a sequence.
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_text, "ends \xe2\x82", false) +
                           test::frame_bytes(test::op_cont, "", true)),
            1007);
  // Surrogates and overlong forms.
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_text, "\xed\xa0\x80")), 1007);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_text, "\xc0\xaf")), 1007);
  // A close reason that is not UTF-8.
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_close, test::close_payload(1000, "\xff"))),
            1007);
  // The same split, valid, is delivered.
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  p.send(test::op_text, "ok \xce", false);
  p.send(test::op_cont, "\xba", true);
  auto f = p.read_message();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "ok \xce\xba");
}

TEST_F(ws_hostile, control_frames) {
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_ping, std::string(126, 'p'))), 1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_close,
                                             test::close_payload(1000) + std::string(124, 'r'))),
            1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_ping, "no fin", false)), 1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_close, "x")), 1002) << "a 1-byte close";
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_close, test::close_payload(1005))), 1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_close, test::close_payload(999))), 1002);
  EXPECT_EQ(close_code_for(test::frame_bytes(11, "")), 1002) << "reserved control opcode";
  EXPECT_EQ(close_code_for(std::string(1, static_cast<char>(0xA1)) + "\x80" +
                           std::string(reinterpret_cast<const char*>(key), 4)),
            1002)
      << "RSV2";
  others_are_served();
}

TEST_F(ws_hostile, deflate_bomb_is_closed_with_1009) {
  // 64 MiB of zeros compress to about 64 KiB: over the 1 MiB limit once inflated.
  const std::string bomb = test::deflate_message(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 128u * 1024);
  const std::string ext = "Sec-WebSocket-Extensions: permessage-deflate\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_binary, bomb, true, true, true), ext), 1009);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  // Garbage that does not inflate.
  EXPECT_EQ(
      close_code_for(test::frame_bytes(test::op_binary, std::string(100, '\xff'), true, true, true),
                     ext),
      1007);
  // A compressed text message that inflates to invalid UTF-8.
  EXPECT_EQ(close_code_for(test::frame_bytes(test::op_text, test::deflate_message("bad \xff"), true,
                                             true, true),
                           ext),
            1007);
  others_are_served();
}

TEST_F(ws_hostile, a_peer_that_never_reads_has_bounded_memory) {
  // It sends messages whose echoes it never reads: the echoes queue up to
  // the backpressure limit (plus one message), then are refused.
  ws_peer p(port, 16 * 1024);
  ASSERT_EQ(p.handshake(), 101);
  int one = 1;
  ::setsockopt(p.fd(), SOL_SOCKET, SO_SNDBUF, &one, sizeof one);
  const std::string msg = test::frame_bytes(test::op_binary, std::string(32 * 1024, 'm'));
  std::thread flood([&] {
    for (int i = 0; i < 400; ++i)
      if (!p.send_raw(msg)) break;
  });
  ASSERT_TRUE(test::wait_until([&] { return refused > 0; }, 20s));
  others_are_served();
  EXPECT_LE(max_buffered.load(), 256u * 1024 + 32 * 1024 + 16)
      << "the queue stays at the backpressure limit plus one message";
  ::shutdown(p.fd(), SHUT_RDWR);
  flood.join();
}

TEST_F(ws_hostile, a_ping_flood_without_reading_has_bounded_memory) {
  ws_peer p(port, 4 * 1024);
  ASSERT_EQ(p.handshake(), 101);
  ASSERT_TRUE(test::wait_until(
      [&] {
        std::lock_guard l(m);
        return !handles.empty();
      },
      5s));
  std::string pings;
  for (int i = 0; i < 1000; ++i)
    pings += test::frame_bytes(test::op_ping, std::string(125, 'p'));
  std::thread flood([&] {
    for (int i = 0; i < 40; ++i)
      if (!p.send_raw(pings)) break;
  });
  flood.join();
  std::this_thread::sleep_for(200ms);
  lwspp::ws::socket_handle h;
  {
    std::lock_guard l(m);
    h = handles.front();
  }
  std::atomic<std::size_t> buffered{~std::size_t{0}};
  ASSERT_TRUE(h.dispatch([&](socket& s) { buffered = s.buffered(); }));
  ASSERT_TRUE(test::wait_until([&] { return buffered != ~std::size_t{0}; }, 5s));
  // 40,000 pongs of 127 bytes would be 5 MB.
  EXPECT_LE(buffered.load(), 256u * 1024 + 200) << "pongs stop at the backpressure limit";
  others_are_served();
}

TEST_F(ws_hostile, a_frame_header_one_byte_at_a_time) {
  ws_peer p(port);
  ASSERT_EQ(p.handshake(), 101);
  const std::string f = test::frame_bytes(test::op_text, std::string(70000, 'z'));
  for (std::size_t i = 0; i < 20; ++i)
    p.send_raw(f.substr(i, 1));
  p.send_raw(f.substr(20));
  auto back = p.read_message();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->payload.size(), 70000u);
}

}  // namespace
