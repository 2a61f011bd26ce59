// Tests for the client's opening handshake (src/ws/client_handshake.cpp)
// and WebSocket URLs (src/ws/url.cpp): the request's fields, the checks of
// extra fields, every way a 101 can be wrong, and URLs and redirects.
#include "ws/client_handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lwspp/ws_client.hpp"
#include "util/base64.hpp"
#include "ws/url.hpp"

namespace {

using namespace lwspp::ws;

constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

TEST(ws_client_handshake, keys_are_16_random_bytes_in_base64) {
  const std::string a = make_client_key();
  const std::string b = make_client_key();
  EXPECT_TRUE(valid_key(a));
  EXPECT_TRUE(valid_key(b));
  EXPECT_NE(a, b);
}

TEST(ws_client_handshake, the_request) {
  const std::vector<std::string> protocols = {"chat", "superchat"};
  const std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer x"}};
  const std::string req =
      build_upgrade_request({.authority = "[::1]:8080",
                             .resource = "/chat?room=1",
                             .origin = "https://example.com",
                             .protocols = protocols,
                             .deflate = deflate_client_settings{.server_max_window_bits = 10},
                             .headers = headers},
                            rfc_key);
  EXPECT_EQ(req,
            "GET /chat?room=1 HTTP/1.1\r\n"
            "Host: [::1]:8080\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Origin: https://example.com\r\n"
            "Sec-WebSocket-Protocol: chat, superchat\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; "
            "client_max_window_bits\r\n"
            "Authorization: Bearer x\r\n"
            "\r\n");
  const std::string plain = build_upgrade_request({.authority = "h", .resource = "/"}, rfc_key);
  EXPECT_EQ(plain.find("Origin"), std::string::npos);
  EXPECT_EQ(plain.find("Sec-WebSocket-Protocol"), std::string::npos);
  EXPECT_EQ(plain.find("Sec-WebSocket-Extensions"), std::string::npos);
}

TEST(ws_client_handshake, extra_fields_that_cannot_be_sent) {
  using fields = std::vector<std::pair<std::string, std::string>>;
  const std::vector<std::string> none;
  EXPECT_EQ(check_client_fields(fields{{"X-A", "b c\td"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"X-A", "b\r\nEvil: 1"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"X-A", "b\nc"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"X-A", std::string("b\0c", 3)}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"X A", "b"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"", "b"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"Host", "b"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"sec-websocket-key", "b"}}, none, ""), "");
  EXPECT_NE(check_client_fields(fields{{"Connection", "close"}}, none, ""), "");
  EXPECT_NE(check_client_fields({}, std::vector<std::string>{"a b"}, ""), "");
  EXPECT_NE(check_client_fields({}, std::vector<std::string>{"a", "a"}, ""), "");
  EXPECT_NE(check_client_fields({}, none, "http://x\r\n"), "");
}

upgrade_response good() {
  return {.status = 101,
          .upgrade = "websocket",
          .connection = "Upgrade",
          .accept = rfc_accept,
          .accept_fields = 1};
}

std::string why(const lwspp::result<agreement>& r) {
  return r ? "" : r.error().detail;
}

TEST(ws_client_handshake, a_good_101) {
  auto a = check_upgrade_response(good(), rfc_key, {}, std::nullopt);
  ASSERT_TRUE(a) << why(a);
  EXPECT_EQ(a->protocol, -1);
  EXPECT_FALSE(a->deflate);
  upgrade_response r = good();
  r.upgrade = "WebSocket";
  r.connection = "keep-alive, upgrade";
  EXPECT_TRUE(check_upgrade_response(r, rfc_key, {}, std::nullopt));
}

TEST(ws_client_handshake, hostile_101s) {
  const std::vector<std::string> offered = {"chat", "v2"};
  const deflate_client_settings deflate{};
  struct bad {
    upgrade_response r;
    bool offer_deflate;
    std::string reason;
  };
  std::vector<bad> cases;
  auto with = [&](auto change, bool d, std::string reason) {
    upgrade_response r = good();
    change(r);
    cases.push_back({r, d, std::move(reason)});
  };
  with([](auto& r) { r.accept = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="; }, false,
       "Sec-WebSocket-Accept does not match our key");
  with([](auto& r) { r.accept = ""; }, false, "Sec-WebSocket-Accept does not match our key");
  with([](auto& r) { r.accept_fields = 0; }, false, "no Sec-WebSocket-Accept");
  with([](auto& r) { r.accept_fields = 2; }, false, "more than one Sec-WebSocket-Accept");
  with([](auto& r) { r.upgrade = ""; }, false, "Upgrade does not say websocket");
  with([](auto& r) { r.upgrade = "h2c"; }, false, "Upgrade does not say websocket");
  with([](auto& r) { r.connection = "keep-alive"; }, false, "Connection does not list upgrade");
  with(
      [](auto& r) {
        r.protocol = "superchat";
        r.protocol_fields = 1;
      },
      false, "Sec-WebSocket-Protocol 'superchat' was not offered");
  with(
      [](auto& r) {
        r.protocol = "chat";
        r.protocol_fields = 2;
      },
      false, "more than one Sec-WebSocket-Protocol");
  with([](auto& r) { r.extensions = "permessage-deflate"; }, false,
       "Sec-WebSocket-Extensions 'permessage-deflate' when none was offered");
  with([](auto& r) { r.extensions = "x-webkit-deflate-frame"; }, true,
       "Sec-WebSocket-Extensions: not offered: x-webkit-deflate-frame");
  with([](auto& r) { r.extensions = "permessage-deflate; server_max_window_bits=7"; }, true,
       "Sec-WebSocket-Extensions: bad permessage-deflate parameters");
  with([](auto& r) { r.extensions = "permessage-deflate, permessage-deflate"; }, true,
       "Sec-WebSocket-Extensions: expected one extension, got 2");
  for (const bad& c : cases) {
    auto a = check_upgrade_response(c.r, rfc_key, offered,
                                    c.offer_deflate ? std::optional(deflate) : std::nullopt);
    ASSERT_FALSE(a) << c.reason;
    EXPECT_EQ(a.error().code, make_error_code(client_error::handshake_invalid));
    EXPECT_EQ(a.error().detail, c.reason);
  }
}

TEST(ws_client_handshake, protocol_and_deflate_agreed) {
  const std::vector<std::string> offered = {"chat", "v2"};
  upgrade_response r = good();
  r.protocol = "v2";
  r.protocol_fields = 1;
  r.extensions = "permessage-deflate; server_max_window_bits=9; client_no_context_takeover";
  auto a = check_upgrade_response(r, rfc_key, offered, deflate_client_settings{});
  ASSERT_TRUE(a) << why(a);
  EXPECT_EQ(a->protocol, 1);
  ASSERT_TRUE(a->deflate);
  EXPECT_EQ(a->deflate->server_max_window_bits, 9);
  EXPECT_TRUE(a->deflate->client_no_context_takeover);
  // Deflate offered, the server declines: fine.
  EXPECT_TRUE(check_upgrade_response(good(), rfc_key, offered, deflate_client_settings{}));
}

// --- URLs ---------------------------------------------------------------------------------

TEST(ws_url, good_urls) {
  auto u = parse_url("ws://example.com/chat?room=1");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->secure);
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->resource, "/chat?room=1");
  EXPECT_EQ(u->target(), "example.com:80");
  EXPECT_EQ(u->authority(), "example.com");

  u = parse_url("WSS://[::1]:8443");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->secure);
  EXPECT_TRUE(u->ipv6);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->resource, "/");
  EXPECT_EQ(u->target(), "[::1]:8443");
  EXPECT_EQ(u->authority(), "[::1]:8443");
  EXPECT_EQ(u->to_string(), "wss://[::1]:8443/");

  u = parse_url("wss://h:443?x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->resource, "/?x");
  EXPECT_EQ(u->authority(), "h");
  EXPECT_TRUE(parse_url("ws://127.0.0.1:1/"));
}

TEST(ws_url, bad_urls_are_error_values) {
  for (const char* bad : {"",
                          "example.com",
                          "http://example.com/",
                          "ws:/x",
                          "ws://",
                          "ws://:80/",
                          "ws://u@h/",
                          "ws://h/#frag",
                          "ws://h:0/",
                          "ws://h:65536/",
                          "ws://h:99999999999999999999/",
                          "ws://h:8x/",
                          "ws://[::1/",
                          "ws://[zz::1]/",
                          "ws://[1.2.3.4]/",
                          "ws://[::1]x/",
                          "ws://h/a b",
                          "ws://h/\x01",
                          "ws://h/\xc3\xa9",
                          "ws://h h/",
                          "ws://h\r\n/",
                          "wss://h:-1/"}) {
    auto u = parse_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, make_error_code(client_error::bad_url)) << bad;
    EXPECT_FALSE(u.error().message().empty());
  }
}

TEST(ws_url, redirect_locations) {
  auto parsed = parse_url("ws://a.example:8080/dir/page?q=1");
  ASSERT_TRUE(parsed);
  const url base = *parsed;
  EXPECT_EQ(resolve_location(base, "wss://b.example/x")->to_string(), "wss://b.example/x");
  EXPECT_EQ(resolve_location(base, "https://b.example/x")->to_string(), "wss://b.example/x");
  EXPECT_EQ(resolve_location(base, "http://b.example:81")->to_string(), "ws://b.example:81/");
  EXPECT_EQ(resolve_location(base, "//c.example/y")->to_string(), "ws://c.example/y");
  EXPECT_EQ(resolve_location(base, "/other?z")->to_string(), "ws://a.example:8080/other?z");
  EXPECT_EQ(resolve_location(base, "next")->to_string(), "ws://a.example:8080/dir/next");
  EXPECT_FALSE(resolve_location(base, "ftp://x/"));
  EXPECT_FALSE(resolve_location(base, ""));
  EXPECT_FALSE(resolve_location(base, "/a b"));
}

}  // namespace
