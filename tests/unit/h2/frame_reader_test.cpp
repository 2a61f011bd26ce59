// The HTTP/2 frame reader (src/h2/frame_reader.cpp): every frame type
// written by the writer and read back, DATA delivered as it arrives, header
// blocks joined, the preface modes, and zero-copy views. Every input is also
// fed split at every byte (frame_test_support.hpp). The validation errors
// are in frame_errors_test.cpp.
#include <gtest/gtest.h>

#include "frame_test_support.hpp"

namespace {

using namespace h2_test;

std::string settings_frame_of(const settings& s) {
  std::string out;
  append_settings(out, s);
  return out;
}

TEST(frame_reader, every_frame_type_round_trips) {
  const std::string block =
      "\x82\x86\x84\x41\x0f"
      "www.example.com";
  const std::string body(300, 'b');
  std::string in;
  settings ours;
  ours.max_concurrent_streams = 100;
  ours.initial_window_size = 1 << 20;
  ours.enable_push = false;
  ASSERT_TRUE(append_settings(in, ours));
  ASSERT_TRUE(append_settings_ack(in));
  ASSERT_TRUE(append_headers(in, 1, block, {.end_stream = false}));
  ASSERT_TRUE(append_data(in, 1, body, false));
  ASSERT_TRUE(append_data(in, 1, "tail", true, 7));
  ASSERT_TRUE(append_headers(in, 3, block,
                             {.end_stream = true,
                              .pad = 3,
                              .has_priority = true,
                              .priority = {.dependency = 1, .weight = 200, .exclusive = true}}));
  ASSERT_TRUE(append_priority(in, 5, {.dependency = 3, .weight = 16, .exclusive = false}));
  ASSERT_TRUE(append_rst_stream(in, 3, error::cancel));
  ASSERT_TRUE(append_ping(in, "12345678"));
  ASSERT_TRUE(append_ping(in, "abcdefgh", true));
  ASSERT_TRUE(append_window_update(in, 0, 65536));
  ASSERT_TRUE(append_window_update(in, 1, max_window_size));
  ASSERT_TRUE(append_push_promise(in, 1, 2, block, default_max_frame_size, 4));
  ASSERT_TRUE(append_goaway(in, 3, error::enhance_your_calm, "bye"));
  const std::string want =
      "SETTINGS ack=0 entries=2:0,3:100,4:1048576\n"
      "SETTINGS ack=1 entries=\n"
      "HEADERS stream=1 block=" +
      digest(block) +
      " end_stream=0 priority=none\n"
      "DATA stream=1 length=300 data=" +
      digest(body) +
      " end_stream=0\n"
      "DATA stream=1 length=12 data=" +
      digest("tail") +
      " end_stream=1\n"
      "HEADERS stream=3 block=" +
      digest(block) +
      " end_stream=1 priority=1/200/1\n"
      "PRIORITY stream=5 priority=3/16/0\n"
      "RST_STREAM stream=3 code=8\n"
      "PING ack=0 opaque=3132333435363738\n"
      "PING ack=1 opaque=6162636465666768\n"
      "WINDOW_UPDATE stream=0 increment=65536\n"
      "WINDOW_UPDATE stream=1 increment=2147483647\n"
      "PUSH_PROMISE stream=1 promised=2 block=" +
      digest(block) +
      "\n"
      "GOAWAY last=3 code=11 debug=627965\n";
  EXPECT_EQ(log_of(in, {.allow_push_promise = true}), want);
}

TEST(frame_reader, empty_frames_still_make_events) {
  std::string in;
  ASSERT_TRUE(append_data(in, 1, "", true));
  ASSERT_TRUE(append_data(in, 1, "", false, 5));  // padding only
  ASSERT_TRUE(append_headers(in, 3, ""));
  ASSERT_TRUE(append_goaway(in, 0, error::no_error));
  EXPECT_EQ(log_of(in),
            "DATA stream=1 length=0 data=0:811c9dc5 end_stream=1\n"
            "DATA stream=1 length=6 data=0:811c9dc5 end_stream=0\n"
            "HEADERS stream=3 block=0:811c9dc5 end_stream=0 priority=none\n"
            "GOAWAY last=0 code=0 debug=\n");
}

TEST(frame_reader, unknown_types_are_reported_and_skipped_unknown_flags_ignored) {
  std::string in = frame(0x0b, 0xff, 7, "some extension payload");
  in += frame(0xfa, 0, 0, "");
  in += frame(frame_type::ping, 0xfe, 0, "00000000");  // ACK clear
  in += frame(frame_type::data, 0xf6, 1, "xy");        // no PADDED, no END_STREAM
  in += frame(frame_type::rst_stream, 0xff, 1, std::string("\0\0\0\x01", 4));
  EXPECT_EQ(log_of(in),
            "UNKNOWN type=11 flags=255 stream=7 length=22\n"
            "UNKNOWN type=250 flags=0 stream=0 length=0\n"
            "PING ack=0 opaque=3030303030303030\n"
            "DATA stream=1 length=2 data=" +
                digest("xy") +
                " end_stream=0\n"
                "RST_STREAM stream=1 code=1\n");
}

TEST(frame_reader, header_block_joined_across_continuations) {
  std::string block;
  for (int i = 0; i < 40000; ++i)
    block += static_cast<char>('a' + i % 26);
  std::string in;
  ASSERT_TRUE(append_headers(in, 5, block, {.end_stream = true, .pad = 10}));
  ASSERT_TRUE(append_ping(in, "pingpong"));
  // 16384 - 11 in HEADERS, then 16384 and the rest in two CONTINUATIONs.
  EXPECT_EQ(in.size(), 40000u + 11 + 3 * frame_header_size + 9 + 8);
  EXPECT_EQ(log_of(in), "HEADERS stream=5 block=" + digest(block) +
                            " end_stream=1 priority=none\n"
                            "PING ack=0 opaque=70696e67706f6e67\n");
}

TEST(frame_reader, push_promise_block_joined) {
  const std::string block(20000, 'p');
  std::string in;
  ASSERT_TRUE(append_push_promise(in, 1, 4, block));
  EXPECT_EQ(log_of(in, {.allow_push_promise = true}),
            "PUSH_PROMISE stream=1 promised=4 block=" + digest(block) + "\n");
}

TEST(frame_reader, headers_self_dependency_is_a_stream_error_after_the_block) {
  std::string in;
  ASSERT_TRUE(append_headers(in, 3, "blk", {.has_priority = true, .priority = {.dependency = 3}}));
  ASSERT_TRUE(append_ping(in, "12345678"));
  EXPECT_EQ(log_of(in), "HEADERS stream=3 block=" + digest("blk") +
                            " end_stream=0 priority=3/15/0 stream_error=PROTOCOL_ERROR\n"
                            "PING ack=0 opaque=3132333435363738\n");
}

TEST(frame_reader, data_comes_in_pieces_as_it_arrives) {
  frame_reader r({.max_frame_size = max_max_frame_size});
  const std::string body(100000, 'd');
  std::string in;
  ASSERT_TRUE(append_data(in, 1, body, true, 20));
  // Header, pad length and 1000 bytes: 1000 bytes come out at once, with
  // the flow-control length of the whole frame.
  frame_step s = r.next(std::span<const char>(in.data(), 1010));
  ASSERT_EQ(s.ev, frame_event::data);
  EXPECT_EQ(s.consumed, 1010u);
  EXPECT_EQ(s.payload.size(), 1000u);
  EXPECT_EQ(s.payload.data(), in.data() + 10);  // a view into the input: no copy
  EXPECT_TRUE(s.first);
  EXPECT_FALSE(s.last);
  EXPECT_FALSE(s.end_stream);
  EXPECT_EQ(s.frame_length, 100021u);
  // The rest of the data and half the padding.
  s = r.next(std::span<const char>(in.data() + 1010, 99010));
  ASSERT_EQ(s.ev, frame_event::data);
  EXPECT_EQ(s.payload.size(), 99000u);
  EXPECT_TRUE(s.last);
  EXPECT_TRUE(s.end_stream);
  EXPECT_EQ(r.next(std::span<const char>(in.data() + 1010 + s.consumed, 10)).consumed, 10u);
  EXPECT_FALSE(r.at_boundary());  // padding still to come
  s = r.next(std::span<const char>(in.data() + 100020, 10));
  EXPECT_EQ(s.ev, frame_event::need_more);
  EXPECT_EQ(s.consumed, 10u);
  EXPECT_TRUE(r.at_boundary());
  EXPECT_EQ(r.offset(), in.size());
}

TEST(frame_reader, whole_frames_are_views_into_the_input_split_ones_are_held) {
  std::string in;
  ASSERT_TRUE(append_headers(in, 1, "header-block", {.pad = 2}));
  frame_reader r;
  frame_step s = r.next(in);
  ASSERT_EQ(s.ev, frame_event::headers);
  EXPECT_EQ(s.payload.data(), in.data() + frame_header_size + 1);
  EXPECT_EQ(s.payload, "header-block");
  // The same frame in two pieces: the block comes from the reader's buffer.
  frame_reader r2;
  const std::string a = in.substr(0, 12), b = in.substr(12);
  EXPECT_EQ(r2.next(a).ev, frame_event::need_more);
  s = r2.next(b);
  ASSERT_EQ(s.ev, frame_event::headers);
  EXPECT_EQ(s.payload, "header-block");
  EXPECT_TRUE(s.payload.data() < b.data() || s.payload.data() >= b.data() + b.size());
}

TEST(frame_reader, server_checks_the_client_preface_then_settings) {
  std::string in(client_preface);
  in += settings_frame_of({});
  ASSERT_TRUE(append_ping(in, "12345678"));
  EXPECT_EQ(log_of(in, {.preface = preface_mode::magic_and_settings}),
            "SETTINGS ack=0 entries=\nPING ack=0 opaque=3132333435363738\n");
}

TEST(frame_reader, bad_preface_is_a_connection_protocol_error_at_its_byte) {
  std::string in = "PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n" + settings_frame_of({});
  EXPECT_EQ(log_of(in, {.preface = preface_mode::magic_and_settings}),
            "CONNECTION_ERROR code=PROTOCOL_ERROR stream=0\n");
  frame_reader r({.preface = preface_mode::magic_and_settings});
  EXPECT_EQ(r.next(std::string_view("GET / HTTP/1.1\r\n")).ev, frame_event::connection_error);
  EXPECT_EQ(r.failure().offset, 0u);
  EXPECT_STREQ(r.failure().reason, "bad connection preface");
}

TEST(frame_reader, first_frame_must_be_settings) {
  std::string ping;
  ASSERT_TRUE(append_ping(ping, "12345678"));
  std::string ack;
  ASSERT_TRUE(append_settings_ack(ack));
  for (const auto mode : {preface_mode::settings, preface_mode::magic_and_settings}) {
    const std::string magic = mode == preface_mode::settings ? "" : std::string(client_preface);
    EXPECT_EQ(log_of(magic + ping, {.preface = mode}),
              "CONNECTION_ERROR code=PROTOCOL_ERROR stream=0\n");
    EXPECT_EQ(log_of(magic + ack, {.preface = mode}),
              "CONNECTION_ERROR code=PROTOCOL_ERROR stream=0\n");
    EXPECT_EQ(log_of(magic + settings_frame_of({}) + ping, {.preface = mode}),
              "SETTINGS ack=0 entries=\nPING ack=0 opaque=3132333435363738\n");
  }
}

TEST(frame_reader, max_frame_size_can_grow_after_our_settings_are_acked) {
  std::string in;
  ASSERT_TRUE(append_data(in, 1, std::string(20000, 'x'), false));
  frame_reader r;
  EXPECT_EQ(r.next(in).ev, frame_event::connection_error);
  frame_reader r2;
  r2.set_max_frame_size(32768);
  EXPECT_EQ(r2.next(in).ev, frame_event::data);
}

TEST(frame_reader, connection_error_is_final) {
  std::string in = frame(frame_type::ping, 0, 1, "12345678");
  frame_reader r;
  frame_step s = r.next(in);
  ASSERT_EQ(s.ev, frame_event::connection_error);
  EXPECT_EQ(r.failure().offset, 0u);
  EXPECT_EQ(r.next(in).ev, frame_event::connection_error);
  EXPECT_EQ(r.next({}).ev, frame_event::connection_error);
  EXPECT_EQ(r.failure().info().message(),
            "PROTOCOL_ERROR: connection error at byte 0 (stream 1): PING with a stream id");
}

}  // namespace
