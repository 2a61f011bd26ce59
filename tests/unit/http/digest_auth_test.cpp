// Tests for the Digest client (src/http/digest_auth.cpp): the worked
// examples of RFC 7616 §3.9.1 (MD5 and SHA-256) and RFC 2617 §3.5 from the
// challenge text to the response, the variants the RFCs give no example for
// (-sess, SHA-512-256 with userhash, no qop) against values computed by
// python3's hashlib from the RFC's formulas, the Authorization syntax, the
// challenges refused, and the per-nonce count of digest_session.
#include "http/digest_auth.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using namespace lwspp::http;

digest_challenge challenge_of(std::string_view field) {
  auto parsed = parse_challenges(field);
  EXPECT_TRUE(parsed) << parsed.error().message();
  const auth_challenge* best = pick_challenge(*parsed);
  EXPECT_NE(best, nullptr);
  auto d = parse_digest_challenge(*best);
  EXPECT_TRUE(d) << d.error().message();
  return *d;
}

std::string param_of(std::string_view authorization, std::string_view name) {
  auto parsed = parse_challenges(authorization);  // same grammar as a challenge
  EXPECT_TRUE(parsed);
  EXPECT_EQ(parsed->size(), 1u);
  const auto v = (*parsed)[0].param(name);
  return v ? std::string(*v) : std::string("<absent>");
}

// RFC 7616 §3.9.1.
constexpr std::string_view rfc7616_challenge =
    "Digest\r\n"
    "       realm=\"http-auth@example.org\",\n"
    "       qop=\"auth, auth-int\",\n"
    "       algorithm=SHA-256,\n"
    "       nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\n"
    "       opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

std::string rfc7616_field(std::string_view algorithm) {
  return "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" +
         std::string(algorithm) +
         ", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
         "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
}

const digest_input rfc7616_input{.user = "Mufasa",
                                 .password = "Circle of Life",
                                 .method = "GET",
                                 .uri = "/dir/index.html",
                                 .cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                                 .nc = 1};

TEST(digest_auth, rfc7616_sha256_example) {
  // The RFC's challenge spans lines; a client joins folded lines with
  // spaces before parsing (obs-fold), which is what we do here.
  std::string field(rfc7616_challenge);
  for (char& c : field)
    if (c == '\r' || c == '\n') c = ' ';
  const digest_challenge c = challenge_of(field);
  EXPECT_EQ(c.algorithm, digest_algorithm::sha256);
  EXPECT_TRUE(c.qop_auth);
  auto a = digest_authorization(c, rfc7616_input);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(
      *a,
      "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
      "algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
      "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
      "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
}

TEST(digest_auth, rfc7616_md5_example) {
  auto a = digest_authorization(challenge_of(rfc7616_field("MD5")), rfc7616_input);
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "response"), "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(param_of(*a, "algorithm"), "MD5");
}

TEST(digest_auth, rfc2617_example) {
  // No algorithm parameter: MD5, and none is sent back.
  const digest_challenge c = challenge_of(
      "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  auto a = digest_authorization(c, {.user = "Mufasa",
                                    .password = "Circle Of Life",
                                    .method = "GET",
                                    .uri = "/dir/index.html",
                                    .cnonce = "0a4f113b",
                                    .nc = 1});
  ASSERT_TRUE(a);
  EXPECT_EQ(
      *a,
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", uri=\"/dir/index.html\", "
      "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", nc=00000001, cnonce=\"0a4f113b\", qop=auth, "
      "response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

TEST(digest_auth, rfc2069_no_qop) {
  // RFC 2069's example, with the response of its erratum (hashlib agrees):
  // no qop, so no nc, cnonce or qop are sent.
  const digest_challenge c = challenge_of(
      "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
      "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  EXPECT_FALSE(c.qop_auth);
  auto a = digest_authorization(
      c, {.user = "Mufasa", .password = "CircleOfLife", .method = "GET", .uri = "/dir/index.html"});
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "response"), "1949323746fe6a43ef61f9606e7febea");
  EXPECT_EQ(param_of(*a, "nc"), "<absent>");
  EXPECT_EQ(param_of(*a, "cnonce"), "<absent>");
  EXPECT_EQ(param_of(*a, "qop"), "<absent>");
}

// The RFC 7616 §3.9.1 inputs with the other algorithms; expected values from
// python3 hashlib (md5/sha256/sha512_256) applied to §3.4's formulas.
TEST(digest_auth, sess_variants) {
  auto md5 = digest_authorization(challenge_of(rfc7616_field("MD5-sess")), rfc7616_input);
  ASSERT_TRUE(md5);
  EXPECT_EQ(param_of(*md5, "response"), "e783283f46242139c486a698fec7211d");
  auto sha = digest_authorization(challenge_of(rfc7616_field("sha-256-SESS")), rfc7616_input);
  ASSERT_TRUE(sha);
  EXPECT_EQ(param_of(*sha, "response"),
            "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
  EXPECT_EQ(param_of(*sha, "algorithm"), "sha-256-SESS");  // echoed as the server spelled it
}

TEST(digest_auth, nc_is_part_of_the_response) {
  digest_input in = rfc7616_input;
  in.nc = 2;
  auto a = digest_authorization(challenge_of(rfc7616_field("SHA-256")), in);
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "nc"), "00000002");
  EXPECT_EQ(param_of(*a, "response"),
            "8c8db27f49ff1c202f9fb49fa9d2e9eabf078dcc93db40dfd6527010091d1c8e");
}

TEST(digest_auth, sha512_256_userhash) {
  // RFC 7616 §3.9.2's inputs. The RFC's printed username hash and response
  // do not reproduce (with python's hashlib either); these are hashlib's.
  const digest_challenge c = challenge_of(
      "Digest realm=\"api@example.org\", qop=\"auth\", algorithm=SHA-512-256, "
      "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", "
      "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", charset=UTF-8, userhash=true");
  EXPECT_TRUE(c.userhash);
  auto a = digest_authorization(c, {.user = "J\xC3\xA4s\xC3\xB8n Doe",
                                    .password = "Secret, or not?",
                                    .method = "GET",
                                    .uri = "/doe.json",
                                    .cnonce = "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
                                    .nc = 1});
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "username"),
            "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
  EXPECT_EQ(param_of(*a, "response"),
            "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
  EXPECT_EQ(param_of(*a, "userhash"), "true");
}

TEST(digest_auth, user_names_are_quoted_or_extended) {
  digest_challenge c = challenge_of(rfc7616_field("SHA-256"));
  digest_input in = rfc7616_input;
  in.user = "a\"b\\c";
  auto a = digest_authorization(c, in);
  ASSERT_TRUE(a);
  EXPECT_NE(a->find("username=\"a\\\"b\\\\c\""), std::string::npos) << *a;
  EXPECT_EQ(param_of(*a, "username"), "a\"b\\c");

  in.user = "J\xC3\xA4s\xC3\xB8n Doe";
  a = digest_authorization(c, in);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->rfind("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=", 0), 0u) << *a;
}

TEST(digest_auth, bad_input_is_refused) {
  const digest_challenge c = challenge_of(rfc7616_field("SHA-256"));
  digest_input in = rfc7616_input;
  in.uri = "/a\r\nX: y";
  EXPECT_FALSE(digest_authorization(c, in));
  in = rfc7616_input;
  in.user = "bob\n";
  EXPECT_FALSE(digest_authorization(c, in));
  in = rfc7616_input;
  in.method = "G T";
  EXPECT_FALSE(digest_authorization(c, in));
  in = rfc7616_input;
  in.cnonce = "";
  EXPECT_FALSE(digest_authorization(c, in));
}

TEST(digest_auth, challenges_refused) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", "auth-int"},
      {"Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1", "not supported"},
      {"Digest realm=\"r\", qop=auth", "without realm or nonce"},
      {"Digest nonce=\"n\"", "without realm or nonce"},
      {"Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess", "without qop"},
      {"Basic realm=\"r\"", "not a Digest"},
  };
  for (const auto& [field, why] : cases) {
    auto parsed = parse_challenges(field);
    ASSERT_TRUE(parsed) << field;
    auto d = parse_digest_challenge((*parsed)[0]);
    ASSERT_FALSE(d) << field;
    EXPECT_NE(d.error().detail.find(why), std::string::npos) << d.error().detail;
  }
}

TEST(digest_auth, qop_list_and_flags) {
  const digest_challenge c = challenge_of(
      "Digest realm=\"r\", nonce=\"n\", qop=\" auth-int ,  AUTH \", stale=TRUE, userhash=false");
  EXPECT_TRUE(c.qop_auth);
  EXPECT_TRUE(c.stale);
  EXPECT_FALSE(c.userhash);
  EXPECT_FALSE(c.opaque);
}

TEST(digest_auth, session_counts_per_nonce) {
  digest_session s(challenge_of(rfc7616_field("SHA-256")));
  std::set<std::string> cnonces;
  for (int i = 1; i <= 3; ++i) {
    auto a = s.authorization("Mufasa", "Circle of Life", "GET", "/dir/index.html");
    ASSERT_TRUE(a);
    EXPECT_EQ(param_of(*a, "nc"), "0000000" + std::to_string(i));
    const std::string cnonce = param_of(*a, "cnonce");
    EXPECT_EQ(cnonce.size(), 32u);
    cnonces.insert(cnonce);
    EXPECT_EQ(s.nonce_count(), static_cast<std::uint32_t>(i));
  }
  EXPECT_EQ(cnonces.size(), 3u);  // a new cnonce every time

  // The same nonce again (a 401 with stale=false): the count goes on.
  s.update(challenge_of(rfc7616_field("SHA-256")));
  EXPECT_EQ(s.nonce_count(), 3u);
  // A new nonce (stale=true): it restarts.
  s.update(
      challenge_of("Digest realm=\"http-auth@example.org\", qop=auth, algorithm=SHA-256, "
                   "nonce=\"fresh\", stale=true"));
  auto a = s.authorization("Mufasa", "Circle of Life", "GET", "/");
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "nc"), "00000001");
  EXPECT_EQ(param_of(*a, "nonce"), "fresh");
  EXPECT_EQ(param_of(*a, "opaque"), "<absent>");

  s.next_nonce("next");
  a = s.authorization("Mufasa", "Circle of Life", "GET", "/");
  ASSERT_TRUE(a);
  EXPECT_EQ(param_of(*a, "nonce"), "next");
  EXPECT_EQ(param_of(*a, "nc"), "00000001");

  // A refused request does not use up a count.
  EXPECT_FALSE(s.authorization("Mufasa", "x", "GET", "/\n"));
  EXPECT_EQ(s.nonce_count(), 1u);
}

}  // namespace
