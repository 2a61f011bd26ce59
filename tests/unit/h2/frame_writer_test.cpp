// The HTTP/2 frame writer (src/h2/frame_writer.cpp): exact bytes of each
// frame, header blocks split at max_frame_size, the DATA prefix for writev,
// and arguments that cannot go on the wire.
#include <gtest/gtest.h>

#include "frame_test_support.hpp"

namespace {

using namespace h2_test;

frame_header header_at(const std::string& s, std::size_t at) {
  return parse_frame_header(std::span<const char, frame_header_size>(s.data() + at, 9));
}

TEST(frame_writer, frame_header_bytes) {
  char h[frame_header_size];
  write_frame_header({0x123456, frame_type::headers, 0x25, 0x7fffffff}, h);
  EXPECT_EQ(std::string(h, 9), std::string("\x12\x34\x56\x01\x25\x7f\xff\xff\xff", 9));
  // The reserved bit is dropped on read.
  const char r[9] = {0, 0, 4, 8, 0, '\x80', 0, 0, 1};
  const frame_header back = parse_frame_header(r);
  EXPECT_EQ(back.length, 4u);
  EXPECT_EQ(back.type, frame_type::window_update);
  EXPECT_EQ(back.stream_id, 1u);
  EXPECT_EQ(type_name(frame_type::continuation), "CONTINUATION");
  EXPECT_EQ(type_name(static_cast<frame_type>(10)), "UNKNOWN");
}

TEST(frame_writer, fixed_frames_exact_bytes) {
  std::string out;
  ASSERT_TRUE(append_window_update(out, 3, 1000));
  EXPECT_EQ(out, std::string("\0\0\x04\x08\0\0\0\0\x03\0\0\x03\xe8", 13));
  out.clear();
  ASSERT_TRUE(append_rst_stream(out, 1, error::refused_stream));
  EXPECT_EQ(out, std::string("\0\0\x04\x03\0\0\0\0\x01\0\0\0\x07", 13));
  out.clear();
  ASSERT_TRUE(append_settings_ack(out));
  EXPECT_EQ(out, std::string("\0\0\0\x04\x01\0\0\0\0", 9));
  out.clear();
  ASSERT_TRUE(append_goaway(out, 7, error::protocol_error, "x"));
  EXPECT_EQ(out, std::string("\0\0\x09\x07\0\0\0\0\0\0\0\0\x07\0\0\0\x01x", 18));
}

TEST(frame_writer, header_block_split_at_max_frame_size) {
  const std::string block(50000, 'h');
  std::string out;
  ASSERT_TRUE(append_headers(out, 9, block,
                             {.end_stream = true,
                              .has_priority = true,
                              .priority = {.dependency = 1},
                              .max_frame_size = 20000}));
  // HEADERS: 5 priority bytes + 19995; CONTINUATIONs of 20000 and 10005.
  std::size_t at = 0;
  const frame_header h = header_at(out, at);
  EXPECT_EQ(h.type, frame_type::headers);
  EXPECT_EQ(h.length, 20000u);
  EXPECT_EQ(h.flags, flag::end_stream | flag::priority);
  at += 9 + h.length;
  const frame_header c1 = header_at(out, at);
  EXPECT_EQ(c1.type, frame_type::continuation);
  EXPECT_EQ(c1.length, 20000u);
  EXPECT_EQ(c1.flags, 0);
  EXPECT_EQ(c1.stream_id, 9u);
  at += 9 + c1.length;
  const frame_header c2 = header_at(out, at);
  EXPECT_EQ(c2.length, 10005u);
  EXPECT_EQ(c2.flags, flag::end_headers);
  EXPECT_EQ(at + 9 + c2.length, out.size());
  frame_reader r({.max_frame_size = 20000});
  frame_log log;
  EXPECT_EQ(read_frames(r, out, log), out.size());
  EXPECT_EQ(log.text(),
            "HEADERS stream=9 block=" + digest(block) + " end_stream=1 priority=1/15/0\n");
}

TEST(frame_writer, block_that_fits_exactly_has_no_continuation) {
  std::string out;
  ASSERT_TRUE(append_headers(out, 1, std::string(16384, 'x')));
  EXPECT_EQ(out.size(), 9u + 16384);
  EXPECT_EQ(header_at(out, 0).flags, flag::end_headers);
  out.clear();
  ASSERT_TRUE(append_headers(out, 1, std::string(16385, 'x')));
  EXPECT_EQ(out.size(), 2 * 9u + 16385);
}

TEST(frame_writer, data_prefix_goes_in_front_of_an_uncopied_payload) {
  char prefix[max_data_prefix];
  EXPECT_EQ(write_data_prefix(prefix, 1, 5, true), 9u);
  EXPECT_EQ(std::string(prefix, 9), std::string("\0\0\x05\0\x01\0\0\0\x01", 9));
  EXPECT_EQ(write_data_prefix(prefix, 3, 5, false, 4), 10u);
  EXPECT_EQ(std::string(prefix, 10), std::string("\0\0\x0a\0\x08\0\0\0\x03\x04", 10));
  // What goes out: prefix, payload, padding.
  const std::string wire = std::string(prefix, 10) + "hello" + std::string(4, '\0');
  EXPECT_EQ(log_of(wire), "DATA stream=3 length=10 data=" + digest("hello") + " end_stream=0\n");
}

TEST(frame_writer, refuses_what_cannot_go_on_the_wire) {
  std::string out;
  char prefix[max_data_prefix];
  EXPECT_EQ(write_data_prefix(prefix, 0, 1, false), 0u);
  EXPECT_EQ(write_data_prefix(prefix, 0x80000000u, 1, false), 0u);
  EXPECT_EQ(write_data_prefix(prefix, 1, max_max_frame_size + 1, false), 0u);
  EXPECT_FALSE(append_data(out, 0, "x", false));
  EXPECT_FALSE(append_headers(out, 0, "x"));
  EXPECT_FALSE(append_headers(out, 1, "x", {.max_frame_size = 100}));
  EXPECT_FALSE(append_push_promise(out, 1, 0, "x"));
  EXPECT_FALSE(append_priority(out, 0, {}));
  EXPECT_FALSE(append_rst_stream(out, 0, error::cancel));
  EXPECT_FALSE(append_ping(out, "1234567"));
  EXPECT_FALSE(append_window_update(out, 1, 0));
  EXPECT_FALSE(append_window_update(out, 1, 0x80000000u));
  EXPECT_FALSE(append_goaway(out, 0x80000000u, error::no_error));
  EXPECT_TRUE(out.empty());
}

}  // namespace
