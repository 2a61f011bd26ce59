// Tests for Set-Cookie parsing (src/http/cookie_parse.cpp), RFC 6265 §5.2:
// the name-value pair, each attribute, the last one winning, Max-Age over
// Expires, and the cookies that are ignored.
#include "http/cookie_parse.hpp"

#include <gtest/gtest.h>

namespace {

using namespace lwspp::http::detail;
using clock_type = std::chrono::system_clock;
using namespace std::chrono_literals;

const clock_type::time_point now = clock_type::from_time_t(1700000000);

set_cookie parse_ok(std::string_view v) {
  auto c = parse_set_cookie(v, now);
  EXPECT_TRUE(c) << v;
  return c ? *c : set_cookie{};
}

TEST(cookie_parse, name_value_and_trimming) {
  auto c = parse_ok("  sid = a b c  ; Path=/");
  EXPECT_EQ(c.name, "sid");
  EXPECT_EQ(c.value, "a b c");
  EXPECT_EQ(c.path, "/");
  c = parse_ok("e=");
  EXPECT_EQ(c.value, "");
  c = parse_ok("q=\"quoted\"");
  EXPECT_EQ(c.value, "\"quoted\"");  // quotes are part of the value (§5.2)
  c = parse_ok("x=a=b");
  EXPECT_EQ(c.value, "a=b");
  EXPECT_FALSE(c.expires);
  EXPECT_FALSE(c.secure);
  EXPECT_TRUE(c.domain.empty());
}

TEST(cookie_parse, ignored_cookies) {
  EXPECT_FALSE(parse_set_cookie("novalue", now));
  EXPECT_FALSE(parse_set_cookie("=v", now));
  EXPECT_FALSE(parse_set_cookie("  =v", now));
  EXPECT_FALSE(parse_set_cookie("", now));
  EXPECT_FALSE(parse_set_cookie("a=b\x01", now));
  EXPECT_FALSE(parse_set_cookie("a=b; Path=/\n", now));
  EXPECT_FALSE(parse_set_cookie("a=b\x7f", now));
  EXPECT_FALSE(parse_set_cookie("; a=b", now));  // the pair is before the first ';'
  // Size bound: name + value.
  EXPECT_TRUE(parse_set_cookie("n=" + std::string(max_cookie_size - 1, 'v'), now));
  EXPECT_FALSE(parse_set_cookie("n=" + std::string(max_cookie_size, 'v'), now));
  // Attributes do not count.
  EXPECT_TRUE(parse_set_cookie("n=v; Path=/" + std::string(8000, 'p'), now));
}

TEST(cookie_parse, attributes) {
  auto c = parse_ok(
      "a=b; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=Lax; Unknown=1; ;");
  EXPECT_EQ(c.domain, "example.com");
  EXPECT_EQ(c.path, "/docs");
  EXPECT_TRUE(c.secure);
  EXPECT_TRUE(c.http_only);
  EXPECT_EQ(c.same_site, same_site::lax);
  c = parse_ok("a=b; secure=ignored-value; HTTPONLY; samesite=STRICT");
  EXPECT_TRUE(c.secure);
  EXPECT_TRUE(c.http_only);
  EXPECT_EQ(c.same_site, same_site::strict);
  EXPECT_EQ(parse_ok("a=b; SameSite=None").same_site, same_site::none);
  EXPECT_EQ(parse_ok("a=b; SameSite=bogus").same_site, same_site::unset);
}

TEST(cookie_parse, last_attribute_wins) {
  auto c = parse_ok("a=b; Domain=one.example; Domain=two.example; Path=/x; Path=/y");
  EXPECT_EQ(c.domain, "two.example");
  EXPECT_EQ(c.path, "/y");
  // An empty Domain is ignored (the earlier one stays); a Path not starting
  // with '/' means the default-path.
  c = parse_ok("a=b; Domain=one.example; Domain=; Path=/x; Path=rel");
  EXPECT_EQ(c.domain, "one.example");
  EXPECT_EQ(c.path, "");
}

TEST(cookie_parse, expiry) {
  auto c = parse_ok("a=b; Expires=Wed, 09 Jun 2100 10:18:14 GMT");
  ASSERT_TRUE(c.expires);
  EXPECT_EQ(clock_type::to_time_t(*c.expires), 4116219494);
  c = parse_ok("a=b; Max-Age=60");
  EXPECT_EQ(c.expires, now + 60s);
  // Max-Age wins over Expires, before or after it.
  EXPECT_EQ(parse_ok("a=b; Max-Age=60; Expires=Wed, 09 Jun 2100 10:18:14 GMT").expires, now + 60s);
  EXPECT_EQ(parse_ok("a=b; Expires=Wed, 09 Jun 2100 10:18:14 GMT; Max-Age=60").expires, now + 60s);
  // Max-Age <= 0: the earliest time (a deletion).
  EXPECT_EQ(parse_ok("a=b; Max-Age=0").expires, clock_type::time_point::min());
  EXPECT_EQ(parse_ok("a=b; Max-Age=-5").expires, clock_type::time_point::min());
  // Malformed ones are ignored.
  EXPECT_FALSE(parse_ok("a=b; Max-Age=1x").expires);
  EXPECT_FALSE(parse_ok("a=b; Max-Age=").expires);
  EXPECT_FALSE(parse_ok("a=b; Max-Age=+5").expires);
  EXPECT_FALSE(parse_ok("a=b; Expires=tomorrow").expires);
  // Huge values saturate rather than overflow.
  EXPECT_EQ(parse_ok("a=b; Max-Age=99999999999999999999999999").expires,
            clock_type::time_point::max());
  c = parse_ok("a=b; Expires=Fri, 31 Dec 9999 23:59:59 GMT");
  ASSERT_TRUE(c.expires);
  EXPECT_GT(*c.expires, now + 24h * 365 * 200);
  c = parse_ok("a=b; Expires=Mon, 01 Jan 1601 00:00:00 GMT");
  ASSERT_TRUE(c.expires);
  EXPECT_LT(*c.expires, now);
}

}  // namespace
