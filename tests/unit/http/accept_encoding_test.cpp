// Tests for Accept-Encoding negotiation (src/http/accept_encoding.cpp).
#include "http/accept_encoding.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace {

using lwspp::http::available_codings;
using lwspp::http::choose_content_coding;
using lwspp::http::content_coding;

constexpr available_codings all{.br = true, .gzip = true};
constexpr available_codings gzip_only{.gzip = true};
constexpr available_codings none{};

constexpr auto identity = content_coding::identity;
constexpr auto gzip = content_coding::gzip;
constexpr auto br = content_coding::br;

std::optional<content_coding> choose(std::string_view field, available_codings have = all) {
  return choose_content_coding(field, have);
}

TEST(AcceptEncoding, Names) {
  EXPECT_EQ(to_string(identity), "identity");
  EXPECT_EQ(to_string(gzip), "gzip");
  EXPECT_EQ(to_string(br), "br");
}

TEST(AcceptEncoding, AbsentOrEmptyMeansIdentity) {
  EXPECT_EQ(choose(""), identity);
  EXPECT_EQ(choose("  "), identity);
  EXPECT_EQ(choose(" , ,"), identity);
}

TEST(AcceptEncoding, BrowserFields) {
  EXPECT_EQ(choose("gzip, deflate, br, zstd"), br);
  EXPECT_EQ(choose("gzip, deflate, br, zstd", gzip_only), gzip);
  EXPECT_EQ(choose("gzip, deflate, br, zstd", none), identity);
  EXPECT_EQ(choose("gzip, deflate"), gzip);
  EXPECT_EQ(choose("deflate"), identity);
}

TEST(AcceptEncoding, Weights) {
  EXPECT_EQ(choose("br;q=0.5, gzip;q=0.8"), gzip);
  EXPECT_EQ(choose("br;q=1.0, gzip;q=1"), br);  // tie: server preference
  EXPECT_EQ(choose("gzip;q=0.001"), gzip);      // preferred to the implicit identity
  EXPECT_EQ(choose("gzip;q=0"), identity);
  EXPECT_EQ(choose("br;q=0, gzip;q=0"), identity);
  EXPECT_EQ(choose("identity;q=1, gzip;q=0.5"), identity);
  EXPECT_EQ(choose("identity;q=0.5, gzip;q=0.5"), gzip);
  EXPECT_EQ(choose("gzip ; q=0.5 ,br;Q=0.4"), gzip);
  EXPECT_EQ(choose("GZIP"), gzip);
  EXPECT_EQ(choose("x-gzip", gzip_only), gzip);
  EXPECT_EQ(choose("BR"), br);
  // The first mention counts.
  EXPECT_EQ(choose("gzip;q=0, gzip", gzip_only), identity);
  EXPECT_EQ(choose("gzip, gzip;q=0", gzip_only), gzip);
}

TEST(AcceptEncoding, Star) {
  EXPECT_EQ(choose("*"), br);
  EXPECT_EQ(choose("*", gzip_only), gzip);
  EXPECT_EQ(choose("*", none), identity);
  EXPECT_EQ(choose("gzip;q=0.5, *;q=0.1"), gzip);
  EXPECT_EQ(choose("br;q=0, *"), gzip);
  EXPECT_EQ(choose("*;q=0.2, identity;q=0.5"), identity);
}

TEST(AcceptEncoding, NothingAcceptable) {
  EXPECT_EQ(choose("identity;q=0"), std::nullopt);
  EXPECT_EQ(choose("identity;q=0", gzip_only), std::nullopt);
  EXPECT_EQ(choose("*;q=0"), std::nullopt);
  EXPECT_EQ(choose("gzip, identity;q=0", gzip_only), gzip);
  EXPECT_EQ(choose("gzip, identity;q=0", none), std::nullopt);
  EXPECT_EQ(choose("*;q=0, identity"), identity);
  EXPECT_EQ(choose("br, *;q=0", gzip_only), std::nullopt);
  EXPECT_EQ(choose("deflate, identity;q=0"), std::nullopt);
}

TEST(AcceptEncoding, InvalidFieldIsIgnored) {
  for (std::string_view bad : {
           "gzip;q=2", "gzip;q=1.5", "gzip;q=1.0001", "gzip;q=0.1234", "gzip;q=.5",
           "gzip;q=", "gzip;q", "gzip;level=9", "gzip;q=0.5;x=1", "gzip;q = 0.5", "gzip;", ";q=1",
           "g zip", "gzip\"", "gzip;q=-0",
           "identity;q=0, gzip;q=x",  // a bad member spoils identity;q=0 too
       }) {
    EXPECT_EQ(choose(bad), identity) << "\"" << bad << "\"";
  }
  EXPECT_EQ(choose("gzip;q=1.000"), gzip);
  EXPECT_EQ(choose("gzip;q=0.999"), gzip);
  EXPECT_EQ(choose("gzip;q=1."), gzip);
  EXPECT_EQ(choose("identity;q=0."), std::nullopt);  // valid: "0." is zero
}

}  // namespace
