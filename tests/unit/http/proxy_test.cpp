// Proxy URLs, no_proxy, the environment's choice of proxy, and route_via
// (http/proxy_url.cpp, http/proxy_env.cpp, http/proxy_route.cpp).
#include "lwspp/proxy.hpp"

#include <gmock/gmock.h>
#include <stdlib.h>

#include "lwspp/context.hpp"

namespace {

using lwspp::proxy;
using lwspp::proxy_environment;
using lwspp::proxy_error;
using lwspp::proxy_kind;
using ::testing::HasSubstr;

TEST(ProxyUrl, Forms) {
  auto p = lwspp::parse_proxy_url("http://user:p%40ss%3Aw@proxy.example:3128");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->kind, proxy_kind::http);
  EXPECT_EQ(p->host, "proxy.example");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->user, "user");
  EXPECT_EQ(p->password, "p@ss:w");
  EXPECT_EQ(p->address(), "proxy.example:3128");

  p = lwspp::parse_proxy_url("SOCKS5H://[::1]/");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, proxy_kind::socks5);
  EXPECT_EQ(p->host, "::1");
  EXPECT_EQ(p->port, 1080);  // curl's default for every kind
  EXPECT_EQ(p->address(), "[::1]:1080");
  EXPECT_FALSE(p->has_credentials());

  p = lwspp::parse_proxy_url("socks5://bob@10.0.0.1:9050");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, proxy_kind::socks5);
  EXPECT_EQ(p->user, "bob");
  EXPECT_EQ(p->password, "");
  EXPECT_TRUE(p->has_credentials());

  p = lwspp::parse_proxy_url("proxy:8080");  // no scheme: http, as curl
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, proxy_kind::http);
  EXPECT_EQ(p->address(), "proxy:8080");
}

TEST(ProxyUrl, Errors) {
  struct bad_case {
    const char* url;
    proxy_error code;
    const char* says;
  };
  const bad_case cases[] = {
      {"https://proxy:443", proxy_error::unsupported_scheme, "not supported yet"},
      {"socks4://proxy", proxy_error::unsupported_scheme, "\"socks4\""},
      {"ftp://proxy", proxy_error::unsupported_scheme, "use http, socks5 or socks5h"},
      {"http://proxy:3128/path", proxy_error::invalid_url, "a path, query or fragment"},
      {"http://proxy?x", proxy_error::invalid_url, "a path, query or fragment"},
      {"http://u:%zz@proxy", proxy_error::invalid_url, "percent-escape"},
      {"http://u:%4@proxy", proxy_error::invalid_url, "percent-escape"},
      {"http://", proxy_error::invalid_url, "no host"},
      {"http://user@", proxy_error::invalid_url, "no host"},
      {"http://proxy:0", proxy_error::invalid_url, "port 0"},
      {"http://proxy:99999", proxy_error::invalid_url, "port"},
      {"http://proxy:", proxy_error::invalid_url, "port"},
      {"http://[::1:80", proxy_error::invalid_url, "']'"},
      {"http://pro xy", proxy_error::invalid_url, "invalid character"},
  };
  for (const auto& c : cases) {
    auto p = lwspp::parse_proxy_url(c.url);
    ASSERT_FALSE(p) << c.url;
    EXPECT_EQ(p.error().code, c.code) << c.url;
    EXPECT_THAT(p.error().message(), HasSubstr(c.says)) << c.url;
  }
}

TEST(NoProxy, Rules) {
  using lwspp::no_proxy_matches;
  EXPECT_TRUE(no_proxy_matches("*", "anything", 80));
  EXPECT_TRUE(no_proxy_matches(" foo , *", "anything", 80));
  EXPECT_FALSE(no_proxy_matches("", "example.com", 80));
  // A domain covers itself and what is under it, with or without a dot.
  for (const char* entry : {"example.com", ".example.com", "EXAMPLE.com.", "..example.com"}) {
    EXPECT_TRUE(no_proxy_matches(entry, "example.com", 80)) << entry;
    EXPECT_TRUE(no_proxy_matches(entry, "www.Example.COM.", 80)) << entry;
    EXPECT_FALSE(no_proxy_matches(entry, "badexample.com", 80)) << entry;
    EXPECT_FALSE(no_proxy_matches(entry, "example.org", 80)) << entry;
  }
  // Ports.
  EXPECT_TRUE(no_proxy_matches("example.com:8080", "example.com", 8080));
  EXPECT_FALSE(no_proxy_matches("example.com:8080", "example.com", 80));
  EXPECT_TRUE(no_proxy_matches("127.0.0.1:80", "127.0.0.1", 80));
  EXPECT_TRUE(no_proxy_matches("[::1]:443", "::1", 443));
  EXPECT_FALSE(no_proxy_matches("[::1]:443", "::1", 80));
  // IP literals compare as addresses, never as names.
  EXPECT_TRUE(no_proxy_matches("::1", "[0:0::1]", 80));
  EXPECT_TRUE(no_proxy_matches("[::1]", "::1", 80));
  EXPECT_FALSE(no_proxy_matches("1.2.3.4", "11.2.3.4", 80));
  EXPECT_FALSE(no_proxy_matches("2.3.4", "1.2.3.4", 80));
  // CIDR blocks.
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8", "10.200.1.1", 80));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1", 80));
  EXPECT_TRUE(no_proxy_matches("192.168.1.0/25", "192.168.1.127", 80));
  EXPECT_FALSE(no_proxy_matches("192.168.1.0/25", "192.168.1.128", 80));
  EXPECT_TRUE(no_proxy_matches("0.0.0.0/0", "8.8.8.8", 80));
  EXPECT_TRUE(no_proxy_matches("fd00::/8", "fd12::1", 80));
  EXPECT_FALSE(no_proxy_matches("fd00::/8", "fe80::1", 80));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "ten.example", 80));  // names are not resolved
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/33", "10.0.0.1", 80));
  EXPECT_FALSE(no_proxy_matches("10.0.0.0/8", "::ffff:10.0.0.1", 80));
  // localhost is not implicit.
  EXPECT_FALSE(no_proxy_matches("example.com", "localhost", 80));
  EXPECT_TRUE(no_proxy_matches("example.com,localhost", "localhost", 80));
}

TEST(ProxyFor, Selection) {
  proxy_environment env{.https_proxy = "http://secure:3128",
                        .http_proxy = "http://plain:3128",
                        .all_proxy = "socks5h://all:1080",
                        .no_proxy = "internal.example,10.0.0.0/8"};
  auto p = lwspp::proxy_for(env, true, "example.com", 443);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->host, "secure");
  p = lwspp::proxy_for(env, false, "example.com", 80);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->host, "plain");
  p = lwspp::proxy_for(env, true, "db.internal.example", 443);
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
  p = lwspp::proxy_for(env, false, "10.1.1.1", 80);
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
  env.https_proxy.clear();
  p = lwspp::proxy_for(env, true, "example.com", 443);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->host, "all");
  EXPECT_EQ((*p)->kind, proxy_kind::socks5);
  env.all_proxy.clear();
  p = lwspp::proxy_for(env, true, "example.com", 443);
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
  // A malformed variable is an error naming it, unless no_proxy exempts the host.
  env.http_proxy = "gopher://x";
  p = lwspp::proxy_for(env, false, "example.com", 80);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, proxy_error::unsupported_scheme);
  EXPECT_THAT(p.error().message(), HasSubstr("http_proxy: "));
  p = lwspp::proxy_for(env, false, "internal.example", 80);
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
}

// The process environment: lowercase first, then uppercase; HTTP_PROXY
// not in a CGI program. (This test owns these variables: no other test
// of this program reads them.)
TEST(ProxyFor, ProcessEnvironment) {
  for (const char* v : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
                        "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD"})
    ::unsetenv(v);
  ::setenv("HTTPS_PROXY", "http://upper:1", 1);
  EXPECT_EQ(proxy_environment::from_process().https_proxy, "http://upper:1");
  ::setenv("https_proxy", "http://lower:1", 1);
  EXPECT_EQ(proxy_environment::from_process().https_proxy, "http://lower:1");
  ::setenv("https_proxy", "", 1);  // empty is unset
  EXPECT_EQ(proxy_environment::from_process().https_proxy, "http://upper:1");
  ::setenv("HTTP_PROXY", "http://upper:2", 1);
  EXPECT_EQ(proxy_environment::from_process().http_proxy, "http://upper:2");
  ::setenv("REQUEST_METHOD", "GET", 1);
  EXPECT_EQ(proxy_environment::from_process().http_proxy, "");
  ::setenv("http_proxy", "http://lower:2", 1);
  EXPECT_EQ(proxy_environment::from_process().http_proxy, "http://lower:2");
  ::setenv("NO_PROXY", "example.com", 1);
  ::setenv("ALL_PROXY", "socks5://all", 1);
  const auto env = proxy_environment::from_process();
  EXPECT_EQ(env.no_proxy, "example.com");
  EXPECT_EQ(env.all_proxy, "socks5://all");
  auto p = lwspp::proxy_for(true, "www.example.com", 443);
  ASSERT_TRUE(p);
  EXPECT_FALSE(*p);
  p = lwspp::proxy_for(true, "example.org", 443);
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->host, "upper");
  for (const char* v : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
                        "ALL_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD"})
    ::unsetenv(v);
}

TEST(RouteVia, SetsTheTunnelAndReturnsTheProxy) {
  lwspp::connect_options o;
  auto t = lwspp::route_via(o, {.kind = proxy_kind::socks5, .host = "::1", .port = 1080},
                            "[2001:db8::1]", 443);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(*t, "[::1]:1080");
  ASSERT_TRUE(o.make_tunnel);
  auto tun = o.make_tunnel();
  EXPECT_EQ(tun->destination_host(), "2001:db8::1");
  std::string out;
  EXPECT_EQ(tun->start(out), lwspp::tunnel_status::need_more);
  EXPECT_EQ(out, std::string("\x05\x01\x00", 3));

  t = lwspp::route_via(o, {.kind = proxy_kind::http, .host = "proxy", .port = 3128}, "example.com",
                       443);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, "proxy:3128");
  out.clear();
  EXPECT_EQ(o.make_tunnel()->start(out), lwspp::tunnel_status::need_more);
  EXPECT_THAT(out, HasSubstr("CONNECT example.com:443 HTTP/1.1\r\n"));

  // What cannot be sent is refused here, before any connection.
  t = lwspp::route_via(o, {.kind = proxy_kind::socks5, .host = "p", .port = 1},
                       std::string(300, 'a'), 80);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, proxy_error::invalid_request);
  t = lwspp::route_via(o, {.kind = proxy_kind::http, .host = "p", .port = 1}, "a b", 80);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, proxy_error::invalid_request);
  t = lwspp::route_via(o, {.kind = proxy_kind::http, .host = "", .port = 1}, "a", 80);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, proxy_error::invalid_url);
}

}  // namespace
