// classify_first_bytes: which first reads of a cleartext connection are
// HTTP/2 prior knowledge, HTTP/1.1, or too short to tell (the role that
// waits is tested against real clients in tests/interop/h2c_split_preface.sh).
#include "h1/prior_knowledge.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "h2/frame_types.hpp"

namespace {

using lwspp::h1::classify_first_bytes;
using lwspp::h1::first_bytes;

TEST(PriorKnowledge, EveryPrefixOfThePrefaceShorterThanFourWaits) {
  const std::string_view preface = lwspp::h2::client_preface;
  for (std::size_t n = 0; n < 4; ++n)
    EXPECT_EQ(classify_first_bytes(preface.substr(0, n)), first_bytes::undecided) << n;
  for (std::size_t n = 4; n <= preface.size(); ++n)
    EXPECT_EQ(classify_first_bytes(preface.substr(0, n)), first_bytes::http2) << n;
}

TEST(PriorKnowledge, ThePrefaceWithFramesAfterItIsHttp2) {
  std::string bytes(lwspp::h2::client_preface);
  bytes += std::string_view("\0\0\0\4\0\0\0\0\0", 9);  // an empty SETTINGS frame
  EXPECT_EQ(classify_first_bytes(bytes), first_bytes::http2);
}

TEST(PriorKnowledge, RequestsAreHttp1AsSoonAsTheyDiffer) {
  EXPECT_EQ(classify_first_bytes("G"), first_bytes::http1);
  EXPECT_EQ(classify_first_bytes("PO"), first_bytes::http1);
  EXPECT_EQ(classify_first_bytes("PUT / HTTP/1.1\r\n"), first_bytes::http1);
  EXPECT_EQ(classify_first_bytes("PRO"), first_bytes::http1);  // PROPFIND
  EXPECT_EQ(classify_first_bytes("PRIX / HTTP/1.1\r\n"), first_bytes::http1);
  EXPECT_EQ(classify_first_bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), first_bytes::http1);
}

TEST(PriorKnowledge, APrefaceThatGoesWrongLaterIsNotHttp2) {
  EXPECT_EQ(classify_first_bytes("PRI * HTTP/1.1\r\n"), first_bytes::http1);
}

}  // namespace
