// Tests for the client side of Basic (src/http/basic_auth.cpp): RFC 7617's
// examples, and the credentials it refuses. (The server-side check is tested
// against curl and python in tests/interop/http_*.sh.)
#include "http/basic_auth.hpp"

#include <gtest/gtest.h>

namespace {

using lwspp::http::basic_authorization;

TEST(basic_auth, rfc7617_examples) {
  auto a = basic_authorization("Aladdin", "open sesame");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  // §2.1: "test" / "123£" in UTF-8.
  a = basic_authorization("test", "123\xC2\xA3");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "Basic dGVzdDoxMjPCow==");
  // A ':' in the password is fine: the server splits at the first one.
  a = basic_authorization("u", "a:b");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "Basic dTphOmI=");
  a = basic_authorization("", "");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, "Basic Og==");
}

TEST(basic_auth, refused_credentials) {
  auto a = basic_authorization("a:b", "pw");
  ASSERT_FALSE(a);
  EXPECT_TRUE(a.error().is(lwspp::error::invalid_argument));
  EXPECT_NE(a.error().detail.find("':'"), std::string::npos);
  EXPECT_FALSE(basic_authorization("a\nb", "pw"));
  EXPECT_FALSE(basic_authorization("a", "p\r\nw"));
}

}  // namespace
