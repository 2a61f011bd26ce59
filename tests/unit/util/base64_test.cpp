// Tests for lwspp::util base64 (src/util/base64.cpp): the RFC 4648 §10 test
// vectors both ways, round trips of every length up to 64 with all byte
// values, and the inputs the decoder refuses.
#include "util/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lwspp::util::base64_decode;
using lwspp::util::base64_encode;
using lwspp::util::base64_size;

std::string encode(std::string_view in) {
  std::string out;
  base64_encode(in, out);
  return out;
}

TEST(base64, rfc4648_vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, coded] : vectors) {
    EXPECT_EQ(encode(plain), coded);
    std::string back;
    ASSERT_TRUE(base64_decode(coded, back)) << coded;
    EXPECT_EQ(back, plain);
    EXPECT_EQ(base64_size(plain.size()), coded.size());
  }
}

TEST(base64, encode_appends) {
  std::string out = "key: ";
  base64_encode("foo", out);
  EXPECT_EQ(out, "key: Zm9v");
}

TEST(base64, round_trips_every_length_and_byte) {
  for (std::size_t n = 0; n <= 64; ++n) {
    std::string in(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
      in[i] = static_cast<char>((i * 37 + n * 11) & 0xff);
    const std::string coded = encode(in);
    std::string back;
    ASSERT_TRUE(base64_decode(coded, back));
    EXPECT_EQ(back, in) << n;
  }
  std::string all;
  for (int b = 0; b < 256; ++b)
    all += static_cast<char>(b);
  std::string back;
  ASSERT_TRUE(base64_decode(encode(all), back));
  EXPECT_EQ(back, all);
}

TEST(base64, refuses_bad_input) {
  std::string out;
  EXPECT_FALSE(base64_decode("Zm9", out));       // not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9v!A==", out));  // outside the alphabet
  EXPECT_FALSE(base64_decode("Zg==Zm9v", out));  // padding before the end
  EXPECT_FALSE(base64_decode("Z===", out));      // three '='
  EXPECT_FALSE(base64_decode("Zm=v", out));      // data after padding
  EXPECT_FALSE(base64_decode("Zm9v\r\n", out));  // no line breaks
}

}  // namespace
