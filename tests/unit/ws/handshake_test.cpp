// Tests for the server's opening handshake (src/ws/handshake.cpp): the
// RFC 6455 §1.3 accept key, every refusal and its status, subprotocol
// choice in the client's order, the origin check, permessage-deflate, and
// the 101's fields.
#include "ws/handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace lwspp::ws;

constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

upgrade_request good() {
  upgrade_request r;
  r.upgrade = "websocket";
  r.connection = "Upgrade";
  r.key = rfc_key;
  r.key_fields = 1;
  r.version = "13";
  return r;
}

TEST(ws_handshake, accept_key_of_the_rfc_example) {
  EXPECT_EQ(accept_key(rfc_key), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(ws_handshake, key_must_be_16_bytes_of_base64) {
  EXPECT_TRUE(valid_key(rfc_key));
  EXPECT_TRUE(valid_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_FALSE(valid_key(""));
  EXPECT_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQ"));    // no padding
  EXPECT_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQo="));  // 17 bytes
  EXPECT_FALSE(valid_key("dGhlIHNhbXBsZSBub25j"));      // 15 bytes
  EXPECT_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZ!=="));  // outside the alphabet
  EXPECT_FALSE(valid_key("dGhlIHNhbXBsZSBub25jZQ==AAAA"));
}

TEST(ws_handshake, lists_token_is_a_case_insensitive_list_match) {
  EXPECT_TRUE(lists_token("Upgrade", "upgrade"));
  EXPECT_TRUE(lists_token("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(lists_token(" keep-alive ,\tUPGRADE\t", "upgrade"));
  EXPECT_FALSE(lists_token("keep-alive", "upgrade"));
  EXPECT_FALSE(lists_token("upgrades", "upgrade"));
  EXPECT_FALSE(lists_token("", "upgrade"));
  EXPECT_TRUE(lists_token("h2c, WebSocket", "websocket"));
}

TEST(ws_handshake, a_good_request_is_accepted) {
  const handshake_result h = check_upgrade(good(), {});
  EXPECT_EQ(h.status, 101);
  EXPECT_EQ(h.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(h.protocol, -1);
  EXPECT_FALSE(h.deflate);
}

TEST(ws_handshake, refusals_and_their_statuses) {
  struct bad_case {
    const char* name;
    void (*spoil)(upgrade_request&);
    int status;
  };
  const bad_case cases[] = {
      {"POST", [](upgrade_request& r) { r.get = false; }, 400},
      {"HTTP/1.0", [](upgrade_request& r) { r.http11 = false; }, 400},
      {"Upgrade: h2c", [](upgrade_request& r) { r.upgrade = "h2c"; }, 426},
      {"no Connection: upgrade", [](upgrade_request& r) { r.connection = "keep-alive"; }, 400},
      {"no version", [](upgrade_request& r) { r.version = ""; }, 426},
      {"version 8", [](upgrade_request& r) { r.version = "8"; }, 426},
      {"versions 13, 8", [](upgrade_request& r) { r.version = "13, 8"; }, 426},
      {"no key", [](upgrade_request& r) { r.key_fields = 0, r.key = {}; }, 400},
      {"two keys", [](upgrade_request& r) { r.key_fields = 2; }, 400},
      {"short key", [](upgrade_request& r) { r.key = "AAAA"; }, 400},
  };
  for (const bad_case& c : cases) {
    upgrade_request r = good();
    c.spoil(r);
    const handshake_result h = check_upgrade(r, {});
    EXPECT_EQ(h.status, c.status) << c.name;
    EXPECT_FALSE(h.problem.empty()) << c.name;
    EXPECT_TRUE(h.accept.empty()) << c.name;
  }
}

TEST(ws_handshake, version_13_with_spaces_passes) {
  upgrade_request r = good();
  r.version = " 13 ";
  EXPECT_EQ(check_upgrade(r, {}).status, 101);
}

TEST(ws_handshake, subprotocol_is_the_clients_first_that_we_speak) {
  const std::vector<std::string> ours = {"chat.v2", "chat.v1", "echo"};
  handshake_settings s;
  s.protocols = ours;
  upgrade_request r = good();
  r.protocols = "chat.v1, chat.v2";
  EXPECT_EQ(check_upgrade(r, s).protocol, 1);  // the client's order
  r.protocols = "other,  echo";
  EXPECT_EQ(check_upgrade(r, s).protocol, 2);
  r.protocols = "Chat.V1";  // names are case-sensitive
  EXPECT_EQ(check_upgrade(r, s).protocol, -1);
  r.protocols = "";
  const handshake_result none = check_upgrade(r, s);
  EXPECT_EQ(none.status, 101);  // the client decides whether to go on
  EXPECT_EQ(none.protocol, -1);
}

TEST(ws_handshake, origin_check) {
  const std::vector<std::string> allowed = {"https://example.com", "http://localhost:8080"};
  handshake_settings s;
  s.origins = allowed;
  upgrade_request r = good();
  EXPECT_EQ(check_upgrade(r, s).status, 101) << "no Origin: not a browser";
  r.has_origin = true;
  r.origin = "https://example.com";
  EXPECT_EQ(check_upgrade(r, s).status, 101);
  r.origin = "HTTPS://EXAMPLE.COM";
  EXPECT_EQ(check_upgrade(r, s).status, 101);
  r.origin = "https://evil.example";
  EXPECT_EQ(check_upgrade(r, s).status, 403);
  r.origin = "http://localhost:8081";
  EXPECT_EQ(check_upgrade(r, s).status, 403);
  r.origin = "null";
  EXPECT_EQ(check_upgrade(r, s).status, 403);
  s.origins = {};
  EXPECT_EQ(check_upgrade(r, s).status, 101) << "no list: any origin";
}

TEST(ws_handshake, deflate_only_when_enabled_and_offered) {
  upgrade_request r = good();
  r.extensions = "permessage-deflate; client_max_window_bits";
  EXPECT_FALSE(check_upgrade(r, {}).deflate) << "off";
  handshake_settings s;
  s.deflate = deflate_server_settings{};
  const handshake_result h = check_upgrade(r, s);
  ASSERT_TRUE(h.deflate);
  EXPECT_EQ(h.deflate->server_max_window_bits, 15);
  r.extensions = "x-unknown";
  EXPECT_FALSE(check_upgrade(r, s).deflate);
  r.extensions = "permessage-deflate; bogus=1, permessage-deflate";
  EXPECT_TRUE(check_upgrade(r, s).deflate) << "the second offer is acceptable";
}

TEST(ws_handshake, accept_fields) {
  const std::vector<std::string> ours = {"chat"};
  handshake_settings s;
  s.protocols = ours;
  s.deflate = deflate_server_settings{.server_no_context_takeover = true};
  upgrade_request r = good();
  r.protocols = "chat";
  r.extensions = "permessage-deflate";
  const handshake_result h = check_upgrade(r, s);
  std::string out;
  append_accept_fields(out, h, ours);
  EXPECT_EQ(out,
            "upgrade: websocket\r\nconnection: Upgrade\r\n"
            "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "sec-websocket-protocol: chat\r\n"
            "sec-websocket-extensions: permessage-deflate; server_no_context_takeover\r\n");
}

}  // namespace
