// ALPN wire lists and the server's choice (server preference order).
#include "tls/alpn.hpp"

#include <gtest/gtest.h>

namespace {

using lwspp::tls::alpn_choose;
using lwspp::tls::alpn_wire;

std::string wire(std::vector<std::string> v) {
  return alpn_wire(v).value();
}

TEST(Alpn, Wire) {
  EXPECT_EQ(wire({"h2", "http/1.1"}), std::string("\x02h2\x08http/1.1"));
  EXPECT_EQ(wire({}), "");
  EXPECT_FALSE(alpn_wire({""}).ok());
  EXPECT_FALSE(alpn_wire({std::string(256, 'a')}).ok());
  EXPECT_TRUE(alpn_wire({std::string(255, 'a')}).ok());
}

TEST(Alpn, Choose) {
  const std::string ours = wire({"h2", "http/1.1"});
  EXPECT_EQ(alpn_choose(ours, wire({"http/1.1", "h2"})), "h2");
  EXPECT_EQ(alpn_choose(ours, wire({"http/1.1"})), "http/1.1");
  EXPECT_EQ(alpn_choose(ours, wire({"h3", "spdy/3"})), "");
  EXPECT_EQ(alpn_choose(ours, ""), "");
  EXPECT_EQ(alpn_choose(ours, std::string("\x05h2", 3)), "");      // length past the end
  EXPECT_EQ(alpn_choose(ours, std::string("\x00\x02h2", 4)), "");  // empty name
  EXPECT_EQ(alpn_choose("", wire({"h2"})), "");
  EXPECT_EQ(alpn_choose(ours, wire({"h2x", "h"})), "");
}

}  // namespace
