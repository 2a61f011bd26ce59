// Tests for the HTTP/1.1 response head serializer (src/h1/response_head.cpp).
#include "h1/response_head.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "http/http_date.hpp"

namespace {

using lwspp::h1::append_chunk;
using lwspp::h1::append_head;
using lwspp::h1::body_framing;
using lwspp::h1::head_params;

// The head with its Date value replaced by "D" (the date is the current
// second: it is checked separately).
std::string head(const head_params& p, std::string_view fixed = "", std::string_view fields = "",
                 std::string prefix = "") {
  std::string out = std::move(prefix);
  const std::size_t at = out.size();
  append_head(out, p, fixed, fields);
  const std::size_t d = out.find("\r\ndate: ", at);
  EXPECT_NE(d, std::string::npos) << out;
  if (d != std::string::npos) out.replace(d + 8, lwspp::http::http_date_length, "D");
  return out;
}

TEST(ResponseHead, LengthFramedKeepAlive) {
  head_params p;
  p.length = 13;
  EXPECT_EQ(head(p, "server: lwspp\r\n", "content-type: text/plain\r\n"),
            "HTTP/1.1 200 OK\r\ndate: D\r\nserver: lwspp\r\ncontent-type: text/plain\r\n"
            "content-length: 13\r\n\r\n");
}

TEST(ResponseHead, EachFraming) {
  head_params p;
  p.status = 404;
  p.length = 0;
  EXPECT_EQ(head(p), "HTTP/1.1 404 Not Found\r\ndate: D\r\ncontent-length: 0\r\n\r\n");
  p.status = 200;
  p.framing = body_framing::chunked;
  EXPECT_EQ(head(p), "HTTP/1.1 200 OK\r\ndate: D\r\ntransfer-encoding: chunked\r\n\r\n");
  p.status = 304;
  p.framing = body_framing::none;
  EXPECT_EQ(head(p), "HTTP/1.1 304 Not Modified\r\ndate: D\r\n\r\n");
  p.status = 200;
  p.framing = body_framing::until_close;
  p.keep_alive = false;
  EXPECT_EQ(head(p), "HTTP/1.1 200 OK\r\ndate: D\r\nconnection: close\r\n\r\n");
}

TEST(ResponseHead, ConnectionField) {
  head_params p;
  p.keep_alive = false;
  EXPECT_EQ(head(p),
            "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  p.keep_alive = true;
  p.peer_is_1_0 = true;
  EXPECT_EQ(head(p),
            "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n");
  p.keep_alive = false;  // close wins over the 1.0 keep-alive
  EXPECT_EQ(head(p),
            "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

TEST(ResponseHead, LargestLengthAndUnusualStatuses) {
  head_params p;
  p.length = 18446744073709551615ull;
  EXPECT_EQ(head(p), "HTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 18446744073709551615\r\n\r\n");
  p.length = 0;
  p.status = 599;  // no reason phrase known: the status line keeps its space
  EXPECT_EQ(head(p), "HTTP/1.1 599 \r\ndate: D\r\ncontent-length: 0\r\n\r\n");
  p.status = 1000;  // outside 100..999 (not reachable from response::status)
  EXPECT_EQ(head(p), "HTTP/1.1 1000 \r\ndate: D\r\ncontent-length: 0\r\n\r\n");
}

TEST(ResponseHead, AppendsAfterWhatIsThere) {
  head_params p;
  p.length = 2;
  EXPECT_EQ(head(p, "", "", "0\r\n\r\n"),
            "0\r\n\r\nHTTP/1.1 200 OK\r\ndate: D\r\ncontent-length: 2\r\n\r\n");
}

TEST(ResponseHead, LongFieldsAreCopiedWhole) {
  const std::string fields(20000, 'x');
  head_params p;
  std::string out;
  append_head(out, p, "a: b\r\n", fields);
  EXPECT_NE(out.find("a: b\r\n" + fields + "content-length: 0\r\n\r\n"), std::string::npos);
  EXPECT_EQ(out.size(), 17 + 6 + 29 + 2 + 6 + fields.size() + 19 + 2);
}

TEST(ResponseHead, DateIsTheCurrentImfFixdate) {
  head_params p;
  std::string out;
  append_head(out, p, "", "");
  const std::size_t d = out.find("\r\ndate: ");
  ASSERT_NE(d, std::string::npos);
  const std::string date = out.substr(d + 8, lwspp::http::http_date_length);
  EXPECT_EQ(out.substr(d + 8 + date.size(), 2), "\r\n");
  EXPECT_TRUE(lwspp::http::parse_http_date(date).has_value()) << date;
}

TEST(ResponseHead, Chunks) {
  std::string out;
  append_chunk(out, "");
  EXPECT_EQ(out, "");  // an empty chunk would end the body
  append_chunk(out, "hello");
  EXPECT_EQ(out, "5\r\nhello\r\n");
  out.clear();
  append_chunk(out, std::string(300, 'a'));
  EXPECT_EQ(out.substr(0, 5), "12c\r\n");
  EXPECT_EQ(out.size(), 5 + 300 + 2);
}

}  // namespace
