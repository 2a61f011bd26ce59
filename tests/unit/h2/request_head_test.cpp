// RFC 9113 §8.2-8.3 request heads: what is refused (stream PROTOCOL_ERROR)
// and how an accepted one becomes an http::request.
#include "h2/request_head.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace {

using lwspp::h2::error;
using lwspp::h2::read_request_head;
using lwspp::h2::request_head_result;
using lwspp::h2::hpack::header_list;

// An exchange with no transport: only its request is used.
struct bare_exchange final : lwspp::http::detail::exchange {
  lwspp::connection& conn() noexcept override { std::abort(); }
  lwspp::send_result write_body(std::string_view, bool) override { return {}; }
  void write_file(int, std::uint64_t, std::uint64_t) override {}
  void want_writable() override {}
  void pause_body(bool) override {}
  void warn(std::string_view) override {}
};

header_list fields(std::initializer_list<std::pair<std::string_view, std::string_view>> l) {
  header_list h;
  for (const auto& [n, v] : l)
    h.add(n, v);
  return h;
}

request_head_result read(header_list h, bare_exchange& ex) {
  return read_request_head(h, ex);
}

TEST(h2_request_head, fills_the_request) {
  bare_exchange ex;
  const auto r = read(fields({{":method", "POST"},
                              {":scheme", "https"},
                              {":authority", "example.com:8443"},
                              {":path", "/a/%62/../c?x=1&y=2"},
                              {"cookie", "a=1"},
                              {"content-type", "text/plain"},
                              {"cookie", "b=2"},
                              {"content-length", "12"}}),
                      ex);
  ASSERT_EQ(r.code, error::no_error) << r.reason;
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.content_length, 12);
  EXPECT_EQ(ex.req.verb(), lwspp::http::method::post);
  EXPECT_EQ(ex.req.method_name(), "POST");
  EXPECT_EQ(ex.req.version(), 20);
  EXPECT_EQ(ex.req.host(), "example.com:8443");
  EXPECT_EQ(ex.req.header("host"), "example.com:8443");
  EXPECT_EQ(ex.req.target(), "/a/%62/../c?x=1&y=2");
  EXPECT_EQ(ex.req.path(), "/a/c");
  EXPECT_EQ(ex.req.query(), "x=1&y=2");
  EXPECT_EQ(ex.req.header("cookie"), "a=1; b=2");
  EXPECT_EQ(ex.req.header("content-type"), "text/plain");
}

TEST(h2_request_head, host_field_without_authority) {
  bare_exchange ex;
  const auto r = read(
      fields({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.test"}}), ex);
  ASSERT_EQ(r.code, error::no_error);
  EXPECT_EQ(ex.req.host(), "h.test");
}

TEST(h2_request_head, malformed_heads) {
  const std::initializer_list<std::pair<std::string_view, std::string_view>> base[] = {
      {{":method", "GET"}, {":scheme", "http"}},                 // no :path
      {{":method", "GET"}, {":path", "/"}},                      // no :scheme
      {{":scheme", "http"}, {":path", "/"}},                     // no :method
      {{":method", "GET"}, {":scheme", "http"}, {":path", ""}},  // empty :path
      {{":method", "GET"}, {":method", "GET"}, {":scheme", "http"}, {":path", "/"}},
      {{":method", "GET"}, {"a", "1"}, {":scheme", "http"}, {":path", "/"}},  // pseudo late
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":status", "200"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"X-Up", "1"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"connection", "x"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"upgrade", "h2c"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"keep-alive", "1"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"transfer-encoding", "x"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"te", "gzip"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"a", " lead"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"a", "x\ry"}},
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"content-length", "1x"}},
      {{":method", "CONNECT"}, {":scheme", "http"}, {":path", "/"}},  // CONNECT form
      {{":method", "G T"}, {":scheme", "http"}, {":path", "/"}},
  };
  int i = 0;
  for (const auto& l : base) {
    bare_exchange ex;
    EXPECT_EQ(read(fields(l), ex).code, error::protocol_error) << "case " << i;
    ++i;
  }
}

TEST(h2_request_head, answered_without_a_handler) {
  bare_exchange ex;
  EXPECT_EQ(read(fields({{":method", "CONNECT"}, {":authority", "a:443"}}), ex).status, 501);
  bare_exchange ex2;
  EXPECT_EQ(read(fields({{":method", "GET"}, {":scheme", "http"}, {":path", "/a%00"}}), ex2).status,
            400);
  bare_exchange ex3;
  const auto r = read(
      fields({{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"te", "trailers"}}), ex3);
  EXPECT_EQ(r.code, error::no_error);
  EXPECT_EQ(r.status, 0);
}

}  // namespace
