// Tests for the frame writer, masking and close payloads (src/ws/frame.cpp,
// src/ws/mask.cpp, src/ws/close_payload.cpp): round trips writer → parser
// for every length form, both sides, any mask phase and split.
#include "ws/frame.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ws/close_payload.hpp"
#include "ws/frame_parser.hpp"
#include "ws/mask.hpp"

namespace {

using namespace lwspp::ws;

std::string header(const frame_header& h) {
  char buf[max_header_size];
  const std::size_t n = write_header(h, buf);
  EXPECT_EQ(n, header_size(h.length, h.masked));
  return std::string(buf, n);
}

TEST(frame_writer, shortest_length_forms) {
  EXPECT_EQ(header({.op = opcode::text, .length = 5}), std::string("\x81\x05", 2));
  EXPECT_EQ(header({.op = opcode::binary, .length = 125}), std::string("\x82\x7d", 2));
  EXPECT_EQ(header({.op = opcode::binary, .length = 126}), std::string("\x82\x7e\x00\x7e", 4));
  EXPECT_EQ(header({.op = opcode::binary, .length = 65535}), std::string("\x82\x7e\xff\xff", 4));
  EXPECT_EQ(header({.op = opcode::binary, .length = 65536}),
            std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(header({.op = opcode::ping, .fin = true, .length = 0}), std::string("\x89\x00", 2));
  EXPECT_EQ(header({.op = opcode::continuation, .fin = false, .length = 1}),
            std::string("\x00\x01", 2));
  EXPECT_EQ(header({.op = opcode::text, .rsv1 = true, .length = 7}), std::string("\xc1\x07", 2));
  EXPECT_EQ(
      header({.op = opcode::text, .masked = true, .key = {0x37, 0xfa, 0x21, 0x3d}, .length = 5}),
      std::string("\x81\x85\x37\xfa\x21\x3d", 6));
  // 2^63 and above cannot be sent; the writer caps instead of writing a
  // header every receiver refuses.
  EXPECT_EQ(header({.op = opcode::binary, .length = ~0ULL}).substr(2, 1), "\x7f");
}

TEST(masking, every_length_and_phase_matches_bytewise_xor) {
  std::mt19937 rng(1);
  const mask_key key{0x12, 0x34, 0x56, 0x78};
  for (std::size_t n = 0; n < 300; ++n) {
    std::string plain(n, '\0');
    for (char& c : plain)
      c = static_cast<char>(rng());
    for (unsigned phase = 0; phase < 4; ++phase) {
      std::string expect = plain;
      for (std::size_t i = 0; i < n; ++i)
        expect[i] = static_cast<char>(expect[i] ^ static_cast<char>(key[(phase + i) % 4]));
      std::string got = plain;
      EXPECT_EQ(apply_mask(got.data(), n, key, phase), (phase + n) % 4);
      ASSERT_EQ(got, expect) << n << " " << phase;
      std::string out(n, '\0');
      copy_masked(plain.data(), out.data(), n, key, phase);
      ASSERT_EQ(out, expect);
      // In two pieces, the phase carried over.
      std::string two = plain;
      const std::size_t cut = n / 3;
      const unsigned p = apply_mask(two.data(), cut, key, phase);
      apply_mask(two.data() + cut, n - cut, key, p);
      ASSERT_EQ(two, expect);
    }
  }
  const std::string impl = mask_implementation();
  EXPECT_TRUE(impl == "avx2" || impl == "sse2" || impl == "word") << impl;
}

struct sent {
  opcode op;
  bool fin;
  std::string payload;
};

// Writes frames as a server (unmasked) or client (masked with random keys),
// parses them back split at `cut`, and compares.
void round_trip(endpoint writer, const std::vector<sent>& frames, std::size_t cut) {
  std::mt19937 rng(static_cast<unsigned>(cut));
  std::string wire;
  for (const sent& f : frames) {
    frame_header h{.op = f.op, .fin = f.fin, .length = f.payload.size()};
    std::string body = f.payload;
    if (writer == endpoint::client) {
      h.masked = true;
      for (auto& b : h.key)
        b = static_cast<std::uint8_t>(rng());
      copy_masked(f.payload.data(), body.data(), body.size(), h.key, 0);
    }
    wire += header(h);
    wire += body;
  }
  frame_parser p({.side = writer == endpoint::client ? endpoint::server : endpoint::client,
                  .max_message_size = ~0ULL >> 1});
  std::vector<sent> got;
  std::string current;
  std::size_t from = 0;
  for (std::size_t end : {std::min(cut, wire.size()), wire.size()}) {
    std::span<char> rest(wire.data() + from, end - from);
    from = end;
    for (;;) {
      const frame_step s = p.feed(rest);
      ASSERT_NE(s.ev, frame_event::error) << reason_for(p.error_code());
      if (s.ev == frame_event::need_more) break;
      if (s.ev == frame_event::control) {
        got.push_back({s.op, true, std::string(s.data)});
      } else {
        if (s.frame_first) current.clear();
        current += s.data;
        if (s.frame_last) got.push_back({s.op, s.fin, current});
      }
      rest = rest.subspan(s.consumed);
    }
  }
  ASSERT_EQ(got.size(), frames.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].op, frames[i].op) << i;
    EXPECT_EQ(got[i].fin, frames[i].fin) << i;
    EXPECT_EQ(got[i].payload, frames[i].payload) << i;
  }
}

TEST(frame_round_trip, writer_to_parser_both_sides_any_split) {
  const std::vector<sent> frames = {
      {opcode::text, true, "hello"},
      {opcode::binary, true, std::string(126, 'b')},
      {opcode::text, false, std::string(300, 'x')},
      {opcode::ping, true, "p"},
      {opcode::continuation, false, ""},
      {opcode::continuation, true, std::string(70000, 'y')},
      {opcode::pong, true, std::string(125, 'q')},
      {opcode::binary, true, ""},
      {opcode::close, true,
       std::string("\x03\xe8"
                   "bye",
                   5)},
  };
  for (endpoint side : {endpoint::server, endpoint::client}) {
    for (std::size_t cut = 0; cut < 700; cut += 7)
      round_trip(side, frames, cut);
    round_trip(side, frames, 70300);
  }
}

TEST(close_payload, write_and_parse) {
  char buf[max_control_payload];
  const close_write w = write_close_payload(1000, "done", buf);
  ASSERT_TRUE(w.ok);
  EXPECT_EQ(std::string(buf, w.size), std::string("\x03\xe8"
                                                  "done",
                                                  6));
  const close_parse p = parse_close_payload(std::string_view(buf, w.size));
  EXPECT_EQ(p.err, error{});
  EXPECT_EQ(p.info.code, 1000);
  EXPECT_EQ(p.info.reason, "done");

  EXPECT_TRUE(write_close_payload(4999, std::string(123, 'r'), buf).ok);
  EXPECT_FALSE(write_close_payload(4999, std::string(124, 'r'), buf).ok);
  EXPECT_FALSE(write_close_payload(1005, "", buf).ok);
  EXPECT_FALSE(write_close_payload(1006, "", buf).ok);
  EXPECT_FALSE(write_close_payload(1015, "", buf).ok);
  EXPECT_FALSE(write_close_payload(1000, "\xc0\xaf", buf).ok);
  EXPECT_TRUE(write_close_payload(0, "", buf).ok);
  EXPECT_EQ(write_close_payload(0, "", buf).size, 0u);
  EXPECT_FALSE(write_close_payload(0, "reason without code", buf).ok);

  for (unsigned code = 0; code < 70000; ++code) {
    const bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                       (code >= 3000 && code <= 4999);
    ASSERT_EQ(close_code_sendable(static_cast<std::uint16_t>(code)), valid && code < 65536) << code;
    if (code > 65535) break;
  }
  EXPECT_EQ(parse_close_payload("").info.code, 1005);
  EXPECT_EQ(parse_close_payload("\x03").err, error::bad_close_payload);
  EXPECT_EQ(parse_close_payload(std::string("\x03\xed", 2)).err, error::bad_close_code);  // 1005
}

TEST(ws_error, every_error_has_a_close_code_and_reason) {
  for (int e = 1; e <= static_cast<int>(error::message_too_big); ++e) {
    const auto err = static_cast<error>(e);
    const std::uint16_t code = close_code_for(err);
    EXPECT_TRUE(code == 1002 || code == 1007 || code == 1009) << e;
    EXPECT_FALSE(reason_for(err).empty());
    EXPECT_LE(reason_for(err).size(), max_close_reason);
    const std::error_code ec = err;
    EXPECT_EQ(ec.message(), reason_for(err));
    EXPECT_STREQ(ec.category().name(), "lwspp.ws");
  }
  EXPECT_EQ(close_code_for(error::invalid_utf8), 1007);
  EXPECT_EQ(close_code_for(error::message_too_big), 1009);
  EXPECT_EQ(close_code_for(error::unmasked_frame), 1002);
}

}  // namespace
