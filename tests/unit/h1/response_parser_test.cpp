// Tests for the sans-I/O response head parser (src/h1/response_parser.cpp):
// every case is fed whole and split at every byte position (each piece in
// its own heap block), and must give the same outcome.
#include "h1/response_parser.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using lwspp::h1::response_event;
using lwspp::h1::response_limits;
using lwspp::h1::response_parser;

struct outcome {
  bool ok = false;
  int status = 0;
  std::string reason;          // the reason phrase, or the error reason
  std::size_t head_bytes = 0;  // bytes the head took
  std::uint64_t error_offset = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  bool operator==(const outcome&) const = default;
};

// Feeds `in` cut at `cut` (0: whole); returns what the parser said.
outcome feed(std::string_view in, std::size_t cut, const response_limits& limits = {}) {
  response_parser p(limits);
  outcome o;
  std::size_t taken = 0;
  for (auto piece : {in.substr(0, cut), in.substr(cut)}) {
    std::unique_ptr<char[]> own(new char[piece.size() + 1]);
    std::copy(piece.begin(), piece.end(), own.get());
    const auto s = p.feed(std::string_view(own.get(), piece.size()));
    taken += s.consumed;
    if (s.ev == response_event::error) {
      o.reason = p.error_reason();
      o.error_offset = p.error_offset();
      return o;
    }
    if (s.ev == response_event::head) {
      const auto& h = p.head();
      o.ok = true;
      o.status = h.status;
      o.reason = h.reason;
      o.head_bytes = taken;
      for (const auto& f : h.headers)
        o.fields.emplace_back(f.name, f.value);
      return o;
    }
  }
  o.reason = "need more";
  return o;
}

// The outcome fed whole, checked to be the same at every split.
outcome parse(std::string_view in, const response_limits& limits = {}) {
  const outcome whole = feed(in, 0, limits);
  for (std::size_t i = 1; i < in.size(); ++i)
    EXPECT_EQ(feed(in, i, limits), whole) << "split at " << i << " of: " << in;
  return whole;
}

TEST(h1_response_parser, a_101_and_the_bytes_after_it) {
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection:  Upgrade \r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  const outcome o = parse(head + "\x81\x02hi");
  ASSERT_TRUE(o.ok) << o.reason;
  EXPECT_EQ(o.status, 101);
  EXPECT_EQ(o.reason, "Switching Protocols");
  EXPECT_EQ(o.head_bytes, head.size());
  ASSERT_EQ(o.fields.size(), 3u);
  EXPECT_EQ(o.fields[1].second, "Upgrade");  // whitespace around a value is not part of it
}

TEST(h1_response_parser, versions_statuses_and_reasons) {
  EXPECT_EQ(parse("HTTP/1.0 404 Not Found\r\n\r\n").status, 404);
  const outcome empty = parse("HTTP/1.1 204 \r\n\r\n");
  EXPECT_TRUE(empty.ok);
  EXPECT_EQ(empty.reason, "");
  EXPECT_TRUE(parse("HTTP/1.1 200 D\xe9j\xe0 vu\r\n\r\n").ok);  // obs-text
  EXPECT_EQ(parse("HTTP/1.1 599 x\r\n\r\n").status, 599);
  EXPECT_EQ(parse("HTTP/1.1 100 Continue\r\n\r\n").status, 100);
}

TEST(h1_response_parser, get_joins_and_counts_fields) {
  response_parser p;
  const std::string in =
      "HTTP/1.1 101 x\r\nConnection: keep-alive\r\nA: 1\r\nconnection: Upgrade\r\n\r\n";
  ASSERT_EQ(p.feed(in).ev, response_event::head);
  std::string store;
  EXPECT_EQ(p.head().get_all("CONNECTION", store), "keep-alive, Upgrade");
  EXPECT_EQ(p.head().get("connection"), "keep-alive");
  EXPECT_EQ(p.head().count("Connection"), 2u);
  EXPECT_EQ(p.head().get_all("a", store), "1");
  EXPECT_EQ(p.head().get("missing"), "");
}

struct bad_case {
  const char* in;
  const char* reason;
};

TEST(h1_response_parser, strictness) {
  const bad_case cases[] = {
      {"HTTP/1.1 200\r\n\r\n", "malformed status line"},
      {"HTTP/1.1 200 OK\n\n", "bare LF"},
      {"HTTP/1.1 200 OK\r\nA: 1\n\r\n", "bare LF"},
      {"HTTP/1.1 200 OK\r\nA: 1\r\n  folded\r\n\r\n",
       "obsolete line folding or whitespace before a field"},
      {"HTTP/1.1 200 OK\r\nA: 1\r2\r\n\r\n", "bare CR"},
      {"HTTP/1.1 200 O\rK\r\n\r\n", "bare CR"},
      {"HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", "whitespace before the colon"},
      {"HTTP/1.1 200 OK\r\n: 1\r\n\r\n", "empty field name"},
      {"HTTP/1.1 200 OK\r\nA(b): 1\r\n\r\n", "invalid character in a field name"},
      {"HTTP/1.1 200 OK\r\nA: a\x01z\r\n\r\n", "invalid character in a field value"},
      {"HTTP/2.0 200 OK\r\n\r\n", "HTTP version not supported"},
      {"HTTP/0.9 200 OK\r\n\r\n", "HTTP version not supported"},
      {"HTTP/1.1 099 x\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 600 x\r\n\r\n", "malformed status code"},
      {"HTTP/1.1 20x x\r\n\r\n", "malformed status code"},
      {"http/1.1 200 OK\r\n\r\n", "malformed status line"},
      {"\x16\x03\x01\x02\x01\x01\x01\x01\xfc\x03\x03", "malformed status line"},  // TLS
      {"HTTP/1.1 200 OK", "need more"},
      {"HTTP/1.1 200 OK\r\n\x7f: x\r\n\r\n", "invalid character in a field name"},
  };
  for (const bad_case& c : cases) {
    const outcome o = parse(c.in);
    EXPECT_FALSE(o.ok) << c.in;
    EXPECT_EQ(o.reason, c.reason) << c.in;
  }
}

TEST(h1_response_parser, a_nul_in_a_value_is_refused) {
  const std::string in("HTTP/1.1 200 OK\r\nA: a\0z\r\n\r\n", 28);
  const outcome o = parse(in);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "invalid character in a field value");
  EXPECT_EQ(o.error_offset, 21u);
}

TEST(h1_response_parser, limits_hold_at_any_split) {
  const response_limits small{.max_status_line = 20, .max_header_bytes = 30, .max_headers = 2};
  EXPECT_TRUE(parse("HTTP/1.1 200 1234567\r\n\r\n", small).ok);  // exactly 20
  EXPECT_EQ(parse("HTTP/1.1 200 12345678\r\n\r\n", small).reason, "status line too long");
  EXPECT_EQ(parse("HTTP/1.1 200 1234567\r", small).reason, "need more");
  EXPECT_EQ(parse("HTTP/1.1 200 12345678\r", small).reason, "status line too long");
  // Field lines and the empty line: exactly 30 bytes, then 31.
  EXPECT_TRUE(parse("HTTP/1.1 200 x\r\nA: " + std::string(23, '1') + "\r\n\r\n", small).ok);
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: " + std::string(24, '1') + "\r\n\r\n", small).reason,
            "header section too large");
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small).reason,
            "too many header fields");
  // An endless field line stops at the limit, not at the end of memory.
  EXPECT_EQ(parse("HTTP/1.1 200 x\r\nA: " + std::string(100, 'a'), small).reason,
            "header section too large");
}

TEST(h1_response_parser, an_error_stays_until_reset) {
  response_parser p;
  EXPECT_EQ(p.feed("HTTP/9.9 200 x\r\n").ev, response_event::error);
  EXPECT_EQ(p.feed("HTTP/1.1 200 x\r\n\r\n").ev, response_event::error);
  p.reset();
  EXPECT_EQ(p.feed("HTTP/1.1 200 x\r\n\r\n").ev, response_event::head);
}

}  // namespace
