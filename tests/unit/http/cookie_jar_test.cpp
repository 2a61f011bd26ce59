// Tests for the cookie jar (src/http/cookie_jar.cpp): storage (RFC 6265
// §5.3: host-only and domain cookies, Domain checks, the default-path,
// replacement keeping the creation time, deletion), the Cookie header
// (§5.4: domain-match, path-match, Secure, expiry, order) and the bounds.
#include "http/cookie_jar.hpp"

#include <gtest/gtest.h>

namespace {

using lwspp::http::cookie_jar;
using lwspp::http::request_url;
using namespace std::chrono_literals;
namespace detail = lwspp::http::detail;

const cookie_jar::time_point t0 = cookie_jar::clock::from_time_t(1700000000);

request_url http(std::string_view host, std::string_view path = "/") {
  return {.scheme = "http", .host = host, .path = path};
}
request_url https(std::string_view host, std::string_view path = "/") {
  return {.scheme = "https", .host = host, .path = path};
}

TEST(cookie_jar, domain_match) {
  EXPECT_TRUE(detail::domain_match("example.com", "example.com"));
  EXPECT_TRUE(detail::domain_match("www.example.com", "example.com"));
  EXPECT_FALSE(detail::domain_match("badexample.com", "example.com"));
  EXPECT_FALSE(detail::domain_match("example.com", "www.example.com"));
  EXPECT_TRUE(detail::domain_match("10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(detail::domain_match("10.0.0.1", "0.0.1"));
}

TEST(cookie_jar, path_match_and_default_path) {
  EXPECT_TRUE(detail::path_match("/", "/"));
  EXPECT_TRUE(detail::path_match("/docs", "/docs"));
  EXPECT_TRUE(detail::path_match("/docs/", "/docs"));
  EXPECT_TRUE(detail::path_match("/docs/web", "/docs"));
  EXPECT_TRUE(detail::path_match("/docs/web", "/docs/"));
  EXPECT_FALSE(detail::path_match("/docsets", "/docs"));
  EXPECT_FALSE(detail::path_match("/", "/docs"));
  EXPECT_FALSE(detail::path_match("/Docs", "/docs"));
  EXPECT_EQ(detail::default_path(""), "/");
  EXPECT_EQ(detail::default_path("x"), "/");
  EXPECT_EQ(detail::default_path("/"), "/");
  EXPECT_EQ(detail::default_path("/a"), "/");
  EXPECT_EQ(detail::default_path("/a/b"), "/a");
  EXPECT_EQ(detail::default_path("/a/b/"), "/a/b");
}

TEST(cookie_jar, host_only_cookie) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("sid=1", http("example.com"), t0));
  EXPECT_EQ(jar.header_for(http("example.com"), t0), "sid=1");
  EXPECT_EQ(jar.header_for(http("www.example.com"), t0), "");
  EXPECT_EQ(jar.header_for(http("other.com"), t0), "");
  EXPECT_EQ(jar.header_for(http("EXAMPLE.com"), t0), "sid=1");  // hosts compare in lower case
  ASSERT_EQ(jar.size(), 1u);
  EXPECT_TRUE(jar.cookies()[0].host_only);
}

TEST(cookie_jar, domain_cookie) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("a=1; Domain=.example.com", http("www.example.com"), t0));
  EXPECT_EQ(jar.header_for(http("example.com"), t0), "a=1");
  EXPECT_EQ(jar.header_for(http("www.example.com"), t0), "a=1");
  EXPECT_EQ(jar.header_for(http("x.y.example.com"), t0), "a=1");
  EXPECT_EQ(jar.header_for(http("notexample.com"), t0), "");
  // Domain equal to the host: a domain cookie all the same.
  EXPECT_TRUE(jar.store("b=2; Domain=example.com", http("example.com"), t0));
  EXPECT_EQ(jar.header_for(http("sub.example.com"), t0), "a=1; b=2");
}

TEST(cookie_jar, refused_domains) {
  cookie_jar jar;
  // Not a domain of the host.
  EXPECT_FALSE(jar.store("a=1; Domain=other.com", http("www.example.com"), t0));
  EXPECT_FALSE(jar.store("a=1; Domain=www.example.com", http("example.com"), t0));
  EXPECT_FALSE(jar.store("a=1; Domain=ample.com", http("example.com"), t0));
  // A bare top-level label (no public suffix list: any single label).
  EXPECT_FALSE(jar.store("a=1; Domain=com", http("example.com"), t0));
  EXPECT_FALSE(jar.store("a=1; Domain=.com", http("example.com"), t0));
  // IP hosts accept no Domain but themselves.
  EXPECT_FALSE(jar.store("a=1; Domain=0.0.1", http("10.0.0.1"), t0));
  EXPECT_FALSE(jar.store("a=1; Domain=1", http("10.0.0.1"), t0));
  EXPECT_EQ(jar.size(), 0u);
  // A single-label host may name itself: the cookie is host-only.
  EXPECT_TRUE(jar.store("a=1; Domain=localhost", http("localhost"), t0));
  EXPECT_TRUE(jar.cookies()[0].host_only);
  EXPECT_TRUE(jar.store("b=1; Domain=10.0.0.1", http("10.0.0.1"), t0));
  EXPECT_EQ(jar.header_for(http("10.0.0.1"), t0), "b=1");
  EXPECT_EQ(jar.header_for(http("x.10.0.0.1"), t0), "");  // host-only, not a domain cookie
}

TEST(cookie_jar, ipv6_hosts) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("a=1", http("[::1]"), t0));
  EXPECT_EQ(jar.header_for(http("::1"), t0), "a=1");
  EXPECT_EQ(jar.header_for(http("[::1]"), t0), "a=1");
}

TEST(cookie_jar, paths) {
  cookie_jar jar;
  // Default path: the request path up to its last '/'.
  EXPECT_TRUE(jar.store("d=1", http("h.test", "/docs/page.html?x=/y/z"), t0));
  EXPECT_TRUE(jar.store("root=1; Path=/", http("h.test", "/docs/page.html"), t0));
  EXPECT_TRUE(jar.store("deep=1; Path=/docs/web", http("h.test", "/"), t0));
  EXPECT_EQ(jar.header_for(http("h.test", "/"), t0), "root=1");
  EXPECT_EQ(jar.header_for(http("h.test", "/docs"), t0), "d=1; root=1");
  EXPECT_EQ(jar.header_for(http("h.test", "/docs/web/x?q=1"), t0), "deep=1; d=1; root=1");
  EXPECT_EQ(jar.header_for(http("h.test", "/docsets"), t0), "root=1");
  EXPECT_EQ(jar.header_for(http("h.test", ""), t0), "root=1");
}

TEST(cookie_jar, order_longer_path_then_creation) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("b=1; Path=/", http("h.test"), t0));
  EXPECT_TRUE(jar.store("a=1; Path=/", http("h.test"), t0));  // same time: insertion order
  EXPECT_TRUE(jar.store("c=1; Path=/x", http("h.test"), t0 + 1s));
  EXPECT_TRUE(jar.store("d=1; Domain=h.test; Path=/", http("h.test"), t0 - 1s));
  EXPECT_EQ(jar.header_for(http("h.test", "/x/y"), t0 + 2s), "c=1; d=1; b=1; a=1");
}

TEST(cookie_jar, secure_cookies) {
  cookie_jar jar;
  EXPECT_FALSE(jar.store("s=1; Secure", http("h.test"), t0));  // RFC 6265bis: only from https
  EXPECT_TRUE(jar.store("s=1; Secure", https("h.test"), t0));
  EXPECT_TRUE(jar.store("p=1", https("h.test"), t0));
  EXPECT_EQ(jar.header_for(https("h.test"), t0), "s=1; p=1");
  EXPECT_EQ(jar.header_for(http("h.test"), t0), "p=1");
  EXPECT_EQ(jar.header_for({.scheme = "wss", .host = "h.test", .path = "/"}, t0), "s=1; p=1");
  // http cannot overwrite (or delete) a Secure cookie.
  EXPECT_FALSE(jar.store("s=2", http("h.test"), t0));
  EXPECT_FALSE(jar.store("s=2; Max-Age=0", http("h.test"), t0));
  EXPECT_EQ(jar.header_for(https("h.test"), t0), "s=1; p=1");
}

TEST(cookie_jar, replace_keeps_creation_time) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("a=1", http("h.test"), t0));
  EXPECT_TRUE(jar.store("b=1", http("h.test"), t0 + 1s));
  EXPECT_TRUE(jar.store("a=2; HttpOnly", http("h.test"), t0 + 2s));
  EXPECT_EQ(jar.size(), 2u);
  EXPECT_EQ(jar.header_for(http("h.test"), t0 + 3s), "a=2; b=1");  // a still first
  // Same name, other path or domain: another cookie.
  EXPECT_TRUE(jar.store("a=3; Path=/p", http("h.test"), t0 + 4s));
  EXPECT_TRUE(jar.store("a=4; Domain=h.test", http("h.test"), t0 + 4s));
  // Same name, domain and path: host-only and domain cookies replace each other.
  EXPECT_EQ(jar.size(), 3u);
  EXPECT_EQ(jar.header_for(http("h.test", "/p/"), t0 + 5s), "a=3; a=4; b=1");
  for (const auto& c : jar.cookies())
    if (c.name == "a" && c.path == "/") {
      EXPECT_EQ(c.created, t0);
    }
}

TEST(cookie_jar, deletion_and_expiry) {
  cookie_jar jar;
  EXPECT_TRUE(jar.store("a=1", http("h.test"), t0));
  EXPECT_TRUE(jar.store("b=1; Max-Age=10", http("h.test"), t0));
  EXPECT_TRUE(jar.store("c=1; Expires=Wed, 09 Jun 2100 10:18:14 GMT", http("h.test"), t0));
  EXPECT_EQ(jar.header_for(http("h.test"), t0 + 9s), "a=1; b=1; c=1");
  EXPECT_EQ(jar.header_for(http("h.test"), t0 + 10s), "a=1; c=1");  // expired at t0+10s
  EXPECT_EQ(jar.size(), 2u);                                        // and removed
  EXPECT_TRUE(jar.store("a=x; Max-Age=0", http("h.test"), t0 + 11s));
  EXPECT_TRUE(jar.store("c=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", http("h.test"), t0 + 11s));
  EXPECT_EQ(jar.header_for(http("h.test"), t0 + 11s), "");
  EXPECT_EQ(jar.size(), 0u);
  // Deleting what is not there changes nothing.
  EXPECT_FALSE(jar.store("zz=x; Max-Age=-1", http("h.test"), t0));
  // Max-Age wins over a past Expires.
  EXPECT_TRUE(
      jar.store("m=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100", http("h.test"), t0));
  EXPECT_EQ(jar.header_for(http("h.test"), t0 + 50s), "m=1");
  jar.remove_expired(t0 + 100s);
  EXPECT_EQ(jar.size(), 0u);
}

TEST(cookie_jar, ignored_input) {
  cookie_jar jar;
  EXPECT_FALSE(jar.store("garbage", http("h.test"), t0));
  EXPECT_FALSE(jar.store("=v", http("h.test"), t0));
  EXPECT_FALSE(jar.store("a=1", http(""), t0));
  EXPECT_FALSE(
      jar.store("big=" + std::string(cookie_jar::max_cookie_size, 'x'), http("h.test"), t0));
  EXPECT_EQ(jar.size(), 0u);
  EXPECT_EQ(jar.header_for(http(""), t0), "");
}

TEST(cookie_jar, per_domain_bound_evicts_least_recently_used) {
  for (const bool touch : {false, true}) {
    cookie_jar jar;
    ASSERT_TRUE(jar.store("k0=1; Path=/k", http("h.test"), t0));
    for (int i = 1; i < static_cast<int>(cookie_jar::max_per_domain); ++i)
      ASSERT_TRUE(jar.store("c" + std::to_string(i) + "=1; Path=/c", http("h.test"),
                            t0 + std::chrono::seconds(i)));
    // Sending k0 makes it recently used; c1 is then the least recently used.
    if (touch) {
      EXPECT_EQ(jar.header_for(http("h.test", "/k"), t0 + 60s), "k0=1");
    }
    ASSERT_TRUE(jar.store("new=1; Path=/c", http("h.test"), t0 + 61s));
    EXPECT_EQ(jar.size(), cookie_jar::max_per_domain);
    const std::string k = jar.header_for(http("h.test", "/k"), t0 + 62s);
    const std::string c = jar.header_for(http("h.test", "/c"), t0 + 62s);
    EXPECT_EQ(k, touch ? "k0=1" : "");
    EXPECT_EQ(c.find("c1=1;") != std::string::npos, !touch) << c;
    EXPECT_NE(c.find("new=1"), std::string::npos);
  }
  // Other domains are not touched by one domain's bound.
  cookie_jar jar;
  ASSERT_TRUE(jar.store("o=1", http("other.test"), t0));
  for (std::size_t i = 0; i <= cookie_jar::max_per_domain; ++i)
    ASSERT_TRUE(jar.store("c" + std::to_string(i) + "=1", http("h.test"), t0 + 1s));
  EXPECT_EQ(jar.size(), cookie_jar::max_per_domain + 1);
  EXPECT_EQ(jar.header_for(http("other.test"), t0 + 2s), "o=1");
}

TEST(cookie_jar, total_bound) {
  cookie_jar jar;
  std::size_t n = 0;
  for (std::size_t d = 0; n < cookie_jar::max_total + 10; ++d) {
    const std::string host = "h" + std::to_string(d) + ".test";
    for (std::size_t i = 0; i < 10; ++i, ++n)
      ASSERT_TRUE(
          jar.store("c" + std::to_string(i) + "=1", http(host), t0 + std::chrono::seconds(n)));
  }
  EXPECT_EQ(jar.size(), cookie_jar::max_total);
  // The first domain's cookies were the oldest: gone.
  EXPECT_EQ(jar.header_for(http("h0.test"), t0 + 1h), "");
  EXPECT_EQ(jar.header_for(http("h300.test"), t0 + 1h).size(),
            std::string("c0=1; ").size() * 10 - 2);
  // Expired cookies go before live ones.
  cookie_jar small;
  ASSERT_TRUE(small.store("old=1", http("a.test"), t0));
  ASSERT_TRUE(small.store("soon=1; Max-Age=1", http("a.test"), t0 + 1s));
  for (std::size_t i = 0; i < cookie_jar::max_per_domain - 1; ++i)
    ASSERT_TRUE(small.store("n" + std::to_string(i) + "=1", http("a.test"), t0 + 5s));
  EXPECT_EQ(small.size(), cookie_jar::max_per_domain);
  EXPECT_NE(small.header_for(http("a.test"), t0 + 5s).find("old=1"), std::string::npos);
}

}  // namespace
