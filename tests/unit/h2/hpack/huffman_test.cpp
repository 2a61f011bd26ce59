// The Huffman code (RFC 7541 §5.2, Appendix B) through the generated tables.
#include "h2/hpack/huffman.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "hpack_test_support.hpp"

namespace lwspp::h2::hpack {
namespace {

using test::hex;
using test::unhex;

std::string encode(std::string_view s) {
  std::string out;
  huffman_encode(s, out);
  EXPECT_EQ(out.size(), huffman_size(s));
  return out;
}

// Decodes, or returns "<error>".
std::string decode(std::string_view bytes) {
  std::string out(huffman_max_decoded(bytes.size()), '\0');
  const std::ptrdiff_t n = huffman_decode(
      {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, out.data());
  if (n < 0) return "<error>";
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Strings and codes from RFC 7541 Appendix C.4 and C.6.
TEST(Huffman, AppendixCStrings) {
  const std::pair<const char*, const char*> cases[] = {
      {"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"},
      {"no-cache", "a8eb10649cbf"},
      {"custom-key", "25a849e95ba97d7f"},
      {"custom-value", "25a849e95bb8e8b4bf"},
      {"302", "6402"},
      {"private", "aec3771a4b"},
      {"Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff"},
      {"https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"},
      {"307", "640eff"},
      {"Mon, 21 Oct 2013 20:13:22 GMT", "d07abe941054d444a8200595040b8166e084a62d1bff"},
      {"gzip", "9bd9ab"},
      {"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
       "94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d500"
       "7"},
  };
  for (const auto& [text, code] : cases) {
    EXPECT_EQ(hex(encode(text)), code) << text;
    EXPECT_EQ(decode(unhex(code)), text) << text;
  }
}

TEST(Huffman, EmptyString) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(decode(""), "");
}

TEST(Huffman, EverySymbolRoundTrips) {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all.push_back(static_cast<char>(c));
  EXPECT_EQ(decode(encode(all)), all);
  // Each alone, so every code meets the padding at every bit offset.
  for (int c = 0; c < 256; ++c) {
    for (int lead = 0; lead < 8; ++lead) {
      const std::string s = std::string(lead, 'a') + static_cast<char>(c);
      ASSERT_EQ(decode(encode(s)), s) << c << " " << lead;
    }
  }
}

TEST(Huffman, RandomStringsRoundTrip) {
  std::mt19937 rng(7541);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 64, '\0');
    for (char& c : s)
      c = static_cast<char>(rng() % (i % 2 ? 256 : 96) + (i % 2 ? 0 : 32));
    ASSERT_EQ(decode(encode(s)), s);
  }
}

TEST(Huffman, EosInTheStringIsRefused) {
  // EOS is 30 ones: four 0xff bytes hold it whole.
  EXPECT_EQ(decode(unhex("ffffffff")), "<error>");
  // After a symbol: 'a' (00011) then EOS.
  EXPECT_EQ(decode(unhex("1fffffffff")), "<error>");
}

TEST(Huffman, PaddingOverSevenBitsIsRefused) {
  // "0" is 00000; a whole byte of ones after a byte-aligned end is 8 bits of padding.
  EXPECT_EQ(decode(unhex("07ff")), "<error>");  // 00000 111 | 11111111
  EXPECT_EQ(decode(unhex("07")), "0");          // 00000 111: 3 bits, fine
  EXPECT_EQ(decode(unhex("ff")), "<error>");    // 8 bits of padding, no symbol
  EXPECT_EQ(decode(unhex("fe")), "<error>");    // not ones either
}

TEST(Huffman, PaddingNotAllOnesIsRefused) {
  EXPECT_EQ(decode(unhex("06")), "<error>");  // 00000 110
  EXPECT_EQ(decode(unhex("00")), "<error>");  // "0" then 000: a zero-padded partial code
}

TEST(Huffman, SizeIsExactBitsRoundedUp) {
  EXPECT_EQ(huffman_size("0"), 1u);                   // 5 bits
  EXPECT_EQ(huffman_size("00"), 2u);                  // 10 bits
  EXPECT_EQ(huffman_size("00000000"), 5u);            // 40 bits
  EXPECT_EQ(huffman_size(std::string(1, '\0')), 2u);  // 13 bits
}

}  // namespace
}  // namespace lwspp::h2::hpack
