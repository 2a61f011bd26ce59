// Tests for WWW-Authenticate parsing and the choice of challenge
// (src/http/auth_challenge.cpp): RFC 9110 §11.6.1's example, token68,
// empty list elements, quoted-string escapes, malformed fields (an error
// with the offset, never a crash), and the preference order.
#include "http/auth_challenge.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace lwspp::http;

std::vector<auth_challenge> parse_ok(std::string_view field) {
  auto r = parse_challenges(field);
  EXPECT_TRUE(r) << field << ": " << r.error().message();
  return r ? *r : std::vector<auth_challenge>{};
}

TEST(auth_challenge, rfc9110_example) {
  const auto c = parse_ok(
      "Newauth realm=\"apps\", type=1,\t title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "Newauth");
  ASSERT_EQ(c[0].params.size(), 3u);
  EXPECT_EQ(c[0].param("REALM"), "apps");
  EXPECT_EQ(c[0].param("type"), "1");
  EXPECT_EQ(c[0].param("title"), "Login to \"apps\"");
  EXPECT_EQ(c[1].scheme, "Basic");
  EXPECT_EQ(c[1].param("realm"), "simple");
  EXPECT_FALSE(c[1].param("type"));
}

TEST(auth_challenge, token68_and_bare_schemes) {
  const auto c = parse_ok("Negotiate, Bearer abc+/x==  , NTLM TlRMTVNTUAABAAAA, Basic realm=x");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].scheme, "Negotiate");
  EXPECT_TRUE(c[0].params.empty());
  EXPECT_TRUE(c[0].token68.empty());
  EXPECT_EQ(c[1].token68, "abc+/x==");
  EXPECT_EQ(c[2].token68, "TlRMTVNTUAABAAAA");
  EXPECT_EQ(c[3].param("realm"), "x");
  // A name and '=' with nothing after is, by the grammar, a token68.
  const auto t = parse_ok("Basic realm=");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].token68, "realm=");
}

TEST(auth_challenge, empty_list_elements_and_spaces) {
  const auto c =
      parse_ok(" , ,Basic realm = \"a\" , , charset=\"UTF-8\" ,, Digest realm=b,nonce=c ,");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].param("charset"), "UTF-8");
  EXPECT_EQ(c[1].param("nonce"), "c");
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok(" , ").empty());
}

TEST(auth_challenge, quoted_strings) {
  const auto c = parse_ok(R"(X a="", b="\\", c=",x=\"y\"", d="tab	in")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].param("a"), "");
  EXPECT_EQ(c[0].param("b"), "\\");
  EXPECT_EQ(c[0].param("c"), ",x=\"y\"");
  EXPECT_EQ(c[0].param("d"), "tab\tin");
}

TEST(auth_challenge, malformed_fields_are_errors) {
  const std::string_view bad[] = {
      "Basic realm=\"unterminated", "Basic realm=\"a\\",   "Basic a=1, realm=",
      "Basic a=1, realm= ,",        "Basic realm=\"a\" b", "Basic realm=\"a\", =x",
      "Basic realm=\"a\x01\"",      "\"Basic\"",           "Basic realm=a b=c",
      "Bearer abc== def",           "Basic;realm=a",       "Digest realm=\"a\"x",
  };
  for (std::string_view field : bad) {
    auto r = parse_challenges(field);
    ASSERT_FALSE(r) << field;
    EXPECT_TRUE(r.error().is(lwspp::error::protocol_error));
    EXPECT_NE(r.error().detail.find("at offset"), std::string::npos) << r.error().detail;
  }
}

TEST(auth_challenge, pick_prefers_the_strongest) {
  const std::string md5 = "Digest realm=\"r\", nonce=\"n\", qop=auth";
  const std::string sha = "Digest realm=\"r\", nonce=\"n2\", qop=auth, algorithm=SHA-256";
  const std::string sha_sess = "Digest realm=\"r\", nonce=\"n3\", qop=auth, algorithm=SHA-256-sess";
  const std::string sha512 = "Digest realm=\"r\", nonce=\"n4\", qop=auth, algorithm=SHA-512-256";
  const std::string basic = "Basic realm=\"r\"";
  const std::string auth_int =
      "Digest realm=\"r\", nonce=\"x\", qop=\"auth-int\", algorithm=SHA-256";

  auto c = parse_ok(basic + ", " + md5 + ", " + sha);
  ASSERT_NE(pick_challenge(c), nullptr);
  EXPECT_EQ(pick_challenge(c)->param("nonce"), "n2");
  c = parse_ok(sha_sess + ", " + basic);
  EXPECT_EQ(pick_challenge(c)->param("nonce"), "n3");
  c = parse_ok(md5 + ", " + sha + ", " + sha512);
  EXPECT_EQ(pick_challenge(c)->param("nonce"), "n4");
  c = parse_ok(basic + ", " + md5);
  EXPECT_EQ(pick_challenge(c)->param("nonce"), "n");
  // A Digest challenge we cannot answer loses even to Basic.
  c = parse_ok(auth_int + ", " + basic);
  EXPECT_EQ(pick_challenge(c)->scheme, "Basic");
  c = parse_ok(auth_int + ", Bearer realm=x, Negotiate");
  EXPECT_EQ(pick_challenge(c), nullptr);
  EXPECT_EQ(pick_challenge({}), nullptr);
  // Scheme names are case-insensitive.
  c = parse_ok("bASIC realm=x");
  EXPECT_NE(pick_challenge(c), nullptr);
}

}  // namespace
