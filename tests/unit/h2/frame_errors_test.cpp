// Every framing error the HTTP/2 frame reader detects (RFC 9113 §4–§6, RFC
// 8441 §3), each with its code and scope, the input fed whole and split at
// every byte. A stream error lets the reader go on: the frame after it
// (a PING) must still come out.
#include <gtest/gtest.h>

#include "frame_test_support.hpp"

namespace {

using namespace h2_test;

std::string u32(std::uint32_t v) {
  std::string s(4, '\0');
  write_u32(s.data(), v);
  return s;
}
std::string entry(std::uint16_t id, std::uint32_t v) {
  return std::string{static_cast<char>(id >> 8), static_cast<char>(id)} + u32(v);
}
std::string ping() {
  return frame(frame_type::ping, 0, 0, "12345678");
}
const std::string ping_line = "PING ack=0 opaque=3132333435363738\n";
std::string conn(const char* code, std::uint32_t sid) {
  return std::string("CONNECTION_ERROR code=") + code + " stream=" + std::to_string(sid) + "\n";
}
std::string strm(const char* code, std::uint32_t sid) {
  return std::string("STREAM_ERROR code=") + code + " stream=" + std::to_string(sid) + "\n";
}

struct error_case {
  const char* name;
  std::string in;
  std::string want;
  frame_reader_settings settings = {};
};

std::vector<error_case> cases() {
  const std::string headers_open = frame(frame_type::headers, 0, 1, "abc");  // no END_HEADERS
  std::vector<error_case> c = {
      // Sizes (§4.2, §6).
      {"frame over max_frame_size", frame(frame_type::data, 0, 1, std::string(16385, 'x')),
       conn("FRAME_SIZE_ERROR", 1)},
      {"unknown type over max_frame_size", frame(0x20, 0, 1, std::string(16385, 'x')),
       conn("FRAME_SIZE_ERROR", 1)},
      {"PING of 7", frame(frame_type::ping, 0, 0, "1234567"), conn("FRAME_SIZE_ERROR", 0)},
      {"PING of 9", frame(frame_type::ping, 0, 0, "123456789"), conn("FRAME_SIZE_ERROR", 0)},
      {"SETTINGS of 5", frame(frame_type::settings, 0, 0, "12345"), conn("FRAME_SIZE_ERROR", 0)},
      {"SETTINGS of 8", frame(frame_type::settings, 0, 0, "12345678"), conn("FRAME_SIZE_ERROR", 0)},
      {"SETTINGS ACK with payload", frame(frame_type::settings, flag::ack, 0, entry(1, 0)),
       conn("FRAME_SIZE_ERROR", 0)},
      {"WINDOW_UPDATE of 3", frame(frame_type::window_update, 0, 1, "123"),
       conn("FRAME_SIZE_ERROR", 1)},
      {"WINDOW_UPDATE of 5 on 0", frame(frame_type::window_update, 0, 0, "12345"),
       conn("FRAME_SIZE_ERROR", 0)},
      {"RST_STREAM of 5", frame(frame_type::rst_stream, 0, 1, "12345"),
       conn("FRAME_SIZE_ERROR", 1)},
      {"PRIORITY of 4 (stream error)", frame(frame_type::priority, 0, 1, "1234") + ping(),
       strm("FRAME_SIZE_ERROR", 1) + ping_line},
      {"PRIORITY of 6 (stream error)", frame(frame_type::priority, 0, 1, "123456") + ping(),
       strm("FRAME_SIZE_ERROR", 1) + ping_line},
      {"GOAWAY of 7", frame(frame_type::goaway, 0, 0, "1234567"), conn("FRAME_SIZE_ERROR", 0)},
      {"padded DATA of 0", frame(frame_type::data, flag::padded, 1, ""),
       conn("FRAME_SIZE_ERROR", 1)},
      {"padded HEADERS of 0", frame(frame_type::headers, flag::padded | flag::end_headers, 1, ""),
       conn("FRAME_SIZE_ERROR", 1)},
      {"HEADERS with PRIORITY of 4",
       frame(frame_type::headers, flag::priority | flag::end_headers, 1, "1234"),
       conn("FRAME_SIZE_ERROR", 1)},
      {"PUSH_PROMISE of 3",
       frame(frame_type::push_promise, flag::end_headers, 1, "123"),
       conn("FRAME_SIZE_ERROR", 1),
       {.allow_push_promise = true}},
      // Stream ids (§6).
      {"DATA on 0", frame(frame_type::data, 0, 0, "x"), conn("PROTOCOL_ERROR", 0)},
      {"HEADERS on 0", frame(frame_type::headers, flag::end_headers, 0, "x"),
       conn("PROTOCOL_ERROR", 0)},
      {"PRIORITY on 0", frame(frame_type::priority, 0, 0, "12345"), conn("PROTOCOL_ERROR", 0)},
      {"RST_STREAM on 0", frame(frame_type::rst_stream, 0, 0, u32(0)), conn("PROTOCOL_ERROR", 0)},
      {"SETTINGS on 1", frame(frame_type::settings, 0, 1, ""), conn("PROTOCOL_ERROR", 1)},
      {"PUSH_PROMISE on 0",
       frame(frame_type::push_promise, flag::end_headers, 0, u32(2)),
       conn("PROTOCOL_ERROR", 0),
       {.allow_push_promise = true}},
      {"PING on 1", frame(frame_type::ping, 0, 1, "12345678"), conn("PROTOCOL_ERROR", 1)},
      {"GOAWAY on 1", frame(frame_type::goaway, 0, 1, "12345678"), conn("PROTOCOL_ERROR", 1)},
      {"CONTINUATION on 0", headers_open + frame(frame_type::continuation, 0, 0, "x"),
       conn("PROTOCOL_ERROR", 0)},
      // Padding (§6.1, §6.2, §6.6).
      {"DATA pad = length", frame(frame_type::data, flag::padded, 1, "\x03xy"),
       conn("PROTOCOL_ERROR", 1)},
      {"DATA pad > length", frame(frame_type::data, flag::padded, 1, "\xffxy"),
       conn("PROTOCOL_ERROR", 1)},
      {"HEADERS pad over the fragment",
       frame(frame_type::headers, flag::padded | flag::end_headers, 1, "\x03xy"),
       conn("PROTOCOL_ERROR", 1)},
      {"HEADERS pad over the priority field",
       frame(frame_type::headers, flag::padded | flag::priority | flag::end_headers, 1,
             "\x01" + u32(3) + "w"),
       conn("PROTOCOL_ERROR", 1)},
      {"PUSH_PROMISE pad over the fragment",
       frame(frame_type::push_promise, flag::padded | flag::end_headers, 1, "\x02" + u32(2) + "x"),
       conn("PROTOCOL_ERROR", 1),
       {.allow_push_promise = true}},
      // WINDOW_UPDATE of 0 (§6.9): scope by stream.
      {"WINDOW_UPDATE 0 on the connection", frame(frame_type::window_update, 0, 0, u32(0)),
       conn("PROTOCOL_ERROR", 0)},
      {"WINDOW_UPDATE 0 on a stream", frame(frame_type::window_update, 0, 3, u32(0)) + ping(),
       strm("PROTOCOL_ERROR", 3) + ping_line},
      {"WINDOW_UPDATE 0 with the reserved bit",
       frame(frame_type::window_update, 0, 3, u32(0x80000000)) + ping(),
       strm("PROTOCOL_ERROR", 3) + ping_line},
      // SETTINGS values (§6.5.2, RFC 8441 §3).
      {"ENABLE_PUSH 2", frame(frame_type::settings, 0, 0, entry(2, 2)), conn("PROTOCOL_ERROR", 0)},
      {"INITIAL_WINDOW_SIZE 2^31", frame(frame_type::settings, 0, 0, entry(4, 0x80000000)),
       conn("FLOW_CONTROL_ERROR", 0)},
      {"MAX_FRAME_SIZE 16383", frame(frame_type::settings, 0, 0, entry(5, 16383)),
       conn("PROTOCOL_ERROR", 0)},
      {"MAX_FRAME_SIZE 2^24", frame(frame_type::settings, 0, 0, entry(5, 1u << 24)),
       conn("PROTOCOL_ERROR", 0)},
      {"ENABLE_CONNECT_PROTOCOL 2", frame(frame_type::settings, 0, 0, entry(8, 2)),
       conn("PROTOCOL_ERROR", 0)},
      {"bad value after good ones",
       frame(frame_type::settings, 0, 0, entry(1, 0) + entry(99, 7) + entry(2, 5)),
       conn("PROTOCOL_ERROR", 0)},
      // The CONTINUATION sequence (§6.10).
      {"CONTINUATION without HEADERS", frame(frame_type::continuation, flag::end_headers, 1, "x"),
       conn("PROTOCOL_ERROR", 1)},
      {"CONTINUATION after a complete block",
       frame(frame_type::headers, flag::end_headers, 1, "x") +
           frame(frame_type::continuation, flag::end_headers, 1, "x"),
       "HEADERS stream=1 block=" + digest("x") + " end_stream=0 priority=none\n" +
           conn("PROTOCOL_ERROR", 1)},
      {"PING inside a header block", headers_open + ping(), conn("PROTOCOL_ERROR", 0)},
      {"DATA inside a header block", headers_open + frame(frame_type::data, 0, 1, "x"),
       conn("PROTOCOL_ERROR", 1)},
      {"unknown type inside a header block", headers_open + frame(0x30, 0, 1, "x"),
       conn("PROTOCOL_ERROR", 1)},
      {"CONTINUATION of another stream",
       headers_open + frame(frame_type::continuation, flag::end_headers, 3, "x"),
       conn("PROTOCOL_ERROR", 3)},
      // The CONTINUATION flood defence.
      {"header block over max_header_block in CONTINUATIONs",
       headers_open + frame(frame_type::continuation, 0, 1, std::string(60, 'c')) +
           frame(frame_type::continuation, flag::end_headers, 1, std::string(60, 'c')),
       conn("ENHANCE_YOUR_CALM", 1),
       {.max_header_block = 100}},
      {"header block over max_header_block in HEADERS",
       frame(frame_type::headers, flag::end_headers, 1, std::string(101, 'h')),
       conn("ENHANCE_YOUR_CALM", 1),
       {.max_header_block = 100}},
      // Priority (§5.3.1 of RFC 7540, kept by RFC 9113): self-dependency.
      {"PRIORITY on itself", frame(frame_type::priority, 0, 5, u32(5) + "w") + ping(),
       strm("PROTOCOL_ERROR", 5) + ping_line},
      {"PRIORITY on itself, exclusive",
       frame(frame_type::priority, 0, 5, u32(0x80000005) + "w") + ping(),
       strm("PROTOCOL_ERROR", 5) + ping_line},
      // Push (§8.4): refused unless allowed, and never of stream 0.
      {"PUSH_PROMISE when push is off",
       frame(frame_type::push_promise, flag::end_headers, 1, u32(2)), conn("PROTOCOL_ERROR", 1)},
      {"PUSH_PROMISE of stream 0",
       frame(frame_type::push_promise, flag::end_headers, 1, u32(0)),
       conn("PROTOCOL_ERROR", 1),
       {.allow_push_promise = true}},
  };
  // CONTINUATION count: 65 empty CONTINUATIONs exceed the default 64.
  std::string flood = headers_open;
  for (int i = 0; i < 65; ++i)
    flood += frame(frame_type::continuation, 0, 1, "");
  c.push_back({"CONTINUATION flood of empty frames", flood, conn("ENHANCE_YOUR_CALM", 1)});
  std::string fine = headers_open;
  for (int i = 0; i < 63; ++i)
    fine += frame(frame_type::continuation, 0, 1, "");
  fine += frame(frame_type::continuation, flag::end_headers, 1, "d");
  c.push_back({"64 CONTINUATIONs are allowed", fine,
               "HEADERS stream=1 block=" + digest("abcd") + " end_stream=0 priority=none\n"});
  return c;
}

TEST(frame_errors, each_with_its_code_and_scope_however_split) {
  for (const error_case& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(log_of(c.in, c.settings), c.want);
  }
}

TEST(frame_errors, offset_and_reason_name_the_frame) {
  const std::string in = ping() + frame(frame_type::window_update, 0, 0, u32(0));
  frame_reader r;
  frame_log log;
  log.reasons = true;
  read_frames(r, in, log);
  ASSERT_EQ(log.lines.size(), 2u);
  EXPECT_EQ(log.lines[1],
            "CONNECTION_ERROR code=PROTOCOL_ERROR stream=0 reason=WINDOW_UPDATE of 0 on the "
            "connection");
  EXPECT_EQ(r.failure().offset, 17u);
  EXPECT_TRUE(r.failure().connection());
  EXPECT_EQ(r.failure().info().code, make_error_code(error::protocol_error));
}

TEST(frame_errors, oversized_header_block_fails_at_its_frame_header) {
  // 16,000 bytes of HEADERS against a 1,000-byte bound: the error comes
  // from the 9-byte header alone, nothing of the payload is buffered.
  frame_reader r({.max_header_block = 1000});
  const std::string in = frame(frame_type::headers, flag::end_headers, 1, std::string(16000, 'h'));
  const frame_step s = r.next(std::string_view(in).substr(0, frame_header_size));
  EXPECT_EQ(s.ev, frame_event::connection_error);
  EXPECT_EQ(r.failure().code, error::enhance_your_calm);
}

TEST(frame_errors, wire_names_and_category) {
  EXPECT_EQ(wire_name(error::no_error), "NO_ERROR");
  EXPECT_EQ(wire_name(error::http_1_1_required), "HTTP_1_1_REQUIRED");
  EXPECT_EQ(wire_name(0xeeu), "UNKNOWN_ERROR");
  const std::error_code ec = error::flow_control_error;
  EXPECT_EQ(ec.message(), "FLOW_CONTROL_ERROR");
  EXPECT_STREQ(ec.category().name(), "lwspp.h2");
  EXPECT_FALSE(make_error_code(error::no_error));
}

}  // namespace
