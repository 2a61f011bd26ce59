// Tests for the permessage-deflate codec (src/ws/deflate.cpp) and its use
// by the message reader: round trips for every window and context mode,
// the 8-bit window mapped onto zlib's 9, memory per direction, and a
// decompression bomb that must stay within the message limit.
#include "ws/deflate.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ws/frame.hpp"
#include "ws/message_reader.hpp"

namespace {

using namespace lwspp::ws;

// Inflates a whole message, `room` bytes of output space per call (a small
// room makes zlib reach back into its window instead of the output buffer,
// which is where it checks distances against the window size).
bool inflate_all(inflater& in, std::string_view data, std::string& out, std::size_t room) {
  std::string buf(room, '\0');
  while (!data.empty()) {
    const auto r = in.inflate(data, buf.data(), room);
    if (!r.ok) return false;
    out.append(buf.data(), r.produced);
    data.remove_prefix(r.consumed);
    if (r.consumed == 0 && r.produced == 0) return false;
  }
  bool done = false;
  while (!done) {
    const auto r = in.finish(buf.data(), room, done);
    if (!r.ok) return false;
    out.append(buf.data(), r.produced);
  }
  return true;
}

std::string sample(std::mt19937& rng, std::size_t n) {
  // Text with repeats at many distances: words from a small vocabulary.
  static const char* words[] = {"alpha ",     "beta ",  "gamma ",   "delta ",
                                "websocket ", "frame ", "deflate ", "\xce\xba\xe1\xbd\xb9 "};
  std::string s;
  while (s.size() < n)
    s += words[rng() % std::size(words)];
  s.resize(n);
  return s;
}

TEST(deflate, rfc_7692_hello) {
  deflater d;
  std::string out;
  ASSERT_TRUE(d.compress("Hello", out, true));
  EXPECT_EQ(out, std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7));
  out.clear();
  ASSERT_TRUE(d.compress("Hello", out, true));  // context kept: a back-reference
  EXPECT_EQ(out, std::string("\xf2\x00\x11\x00\x00", 5));
  out.clear();
  ASSERT_TRUE(d.compress("", out, true));
  EXPECT_EQ(out, std::string("\x00", 1)) << "an empty message is one 0x00 byte";
}

TEST(deflate, round_trips_every_window_and_context_mode) {
  std::mt19937 rng(3);
  for (int bits = 8; bits <= 15; ++bits) {
    for (bool no_context : {false, true}) {
      for (bool release : {false, true}) {
        deflater d(
            {.window_bits = bits, .no_context_takeover = no_context, .release_idle = release});
        inflater in(
            {.window_bits = bits, .no_context_takeover = no_context, .release_idle = release});
        for (int m = 0; m < 6; ++m) {
          const std::string msg = sample(rng, m * 1500);
          std::string z;
          // Given in 3 pieces, flushed at the end.
          ASSERT_TRUE(d.compress(std::string_view(msg).substr(0, msg.size() / 3), z, false));
          ASSERT_TRUE(d.compress(std::string_view(msg).substr(msg.size() / 3), z, true));
          std::string back;
          ASSERT_TRUE(inflate_all(in, z, back, m % 2 == 0 ? 7 : 4096))
              << bits << " " << no_context << " " << m;
          ASSERT_EQ(back, msg);
        }
        if (no_context && release) {
          EXPECT_EQ(d.memory(), 0u) << "released between messages";
          EXPECT_EQ(in.memory(), 0u);
        }
      }
    }
  }
}

TEST(deflate, window_8_is_compressed_with_distances_a_256_byte_window_holds) {
  std::mt19937 rng(5);
  std::string msg;
  // Random blocks repeated at distances from 100 to 600 bytes.
  for (int i = 0; i < 40; ++i) {
    std::string block(100 + rng() % 500, '\0');
    for (char& c : block)
      c = static_cast<char>(rng());
    msg += block + block.substr(0, 60);
  }
  deflater d8({.window_bits = 8});
  std::string z8;
  ASSERT_TRUE(d8.compress(msg, z8, true));
  inflater in8({.window_bits = 8});
  std::string back;
  ASSERT_TRUE(inflate_all(in8, z8, back, 1));
  EXPECT_EQ(back, msg);

  // The check has teeth: the same data compressed with a 32 KiB window
  // does not inflate through a 256-byte one.
  deflater d15({.window_bits = 15});
  std::string z15;
  ASSERT_TRUE(d15.compress(msg, z15, true));
  inflater strict({.window_bits = 8});
  std::string ignored;
  EXPECT_FALSE(inflate_all(strict, z15, ignored, 1));
}

TEST(deflate, memory_follows_window_bits) {
  deflater big({.window_bits = 15});
  deflater small({.window_bits = 9});
  inflater ibig({.window_bits = 15});
  inflater ismall({.window_bits = 9});
  EXPECT_EQ(big.memory(), 0u) << "nothing before the first message";
  std::string z;
  ASSERT_TRUE(big.compress("x", z, true));
  ASSERT_TRUE(small.compress("x", z, true));
  std::string hello;
  deflater d;
  ASSERT_TRUE(d.compress("Hello, hello, hello", hello, true));
  std::string out;
  // zlib allocates the window when a message's output first passes through it.
  ASSERT_TRUE(inflate_all(ibig, hello, out, 64));
  ASSERT_TRUE(inflate_all(ismall, hello, out, 64));
  // zlib: 2^(w+2) + 2^(m+9) plus its state; inflate: 2^w plus its state.
  EXPECT_GT(big.memory(), 256u * 1024);
  EXPECT_LT(big.memory(), 300u * 1024);
  EXPECT_LT(small.memory(), 16u * 1024);
  EXPECT_GT(ibig.memory(), 32u * 1024);
  EXPECT_LT(ibig.memory(), 48u * 1024);
  EXPECT_LT(ismall.memory(), 12u * 1024);
}

TEST(deflate, bomb_stays_within_the_message_limit) {
  // 64 MiB of zeros compress to about 64 KiB.
  deflater d;
  std::string z;
  ASSERT_TRUE(d.compress(std::string(64u << 20, '\0'), z, true));
  ASSERT_LT(z.size(), 100u * 1024);

  for (bool streaming : {false, true}) {
    message_reader r(
        {.side = endpoint::client, .max_message_size = 1u << 20, .streaming = streaming});
    r.enable_deflate({});
    char head[max_header_size];
    std::string wire(head,
                     write_header({.op = opcode::binary, .rsv1 = true, .length = z.size()}, head));
    wire += z;
    std::span<char> rest(wire.data(), wire.size());
    std::size_t delivered = 0;
    std::size_t peak = 0;
    for (;;) {
      const step s = r.feed(rest);
      peak = std::max(peak, r.memory());
      rest = rest.subspan(s.consumed);
      if (s.ev == event::fragment) {
        delivered += s.data.size();
        continue;
      }
      ASSERT_EQ(s.ev, event::error) << streaming;
      break;
    }
    EXPECT_EQ(r.error_close_code(), 1009);
    EXPECT_LE(delivered, 1u << 20);
    // The message buffer never holds more than the limit plus one byte; the
    // rest is zlib's window and state.
    EXPECT_LE(peak, (1u << 20) + 1 + 64 * 1024) << streaming;
  }
}

}  // namespace
