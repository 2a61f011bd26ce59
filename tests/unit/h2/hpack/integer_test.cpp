// HPACK integers (RFC 7541 §5.1, Appendix C.1) and their limits.
#include "h2/hpack/integer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "hpack_test_support.hpp"

namespace lwspp::h2::hpack {
namespace {

using test::hex;
using test::unhex;

std::string enc(std::uint8_t high, int prefix, std::uint32_t v) {
  std::string out;
  encode_integer(out, high, prefix, v);
  return out;
}

struct decoded {
  error err;
  std::uint32_t value;
  std::size_t used;
};

decoded dec(const std::string& bytes, int prefix) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* const begin = p;
  std::uint32_t v = 0;
  const error e = decode_integer(p, p + bytes.size(), prefix, v);
  return {e, v, static_cast<std::size_t>(p - begin)};
}

TEST(Integer, C1_1_TenWithFiveBitPrefix) {
  EXPECT_EQ(hex(enc(0, 5, 10)), "0a");
  const decoded d = dec(unhex("0a"), 5);
  EXPECT_EQ(d.err, error{});
  EXPECT_EQ(d.value, 10u);
}

TEST(Integer, C1_2_1337WithFiveBitPrefix) {
  EXPECT_EQ(hex(enc(0, 5, 1337)), "1f9a0a");
  const decoded d = dec(unhex("1f9a0a"), 5);
  EXPECT_EQ(d.err, error{});
  EXPECT_EQ(d.value, 1337u);
  EXPECT_EQ(d.used, 3u);
}

TEST(Integer, C1_3_42AtOctetBoundary) {
  EXPECT_EQ(hex(enc(0, 8, 42)), "2a");
  EXPECT_EQ(dec(unhex("2a"), 8).value, 42u);
}

TEST(Integer, HighBitsKeptAndIgnored) {
  EXPECT_EQ(hex(enc(0xe0, 5, 3)), "e3");
  EXPECT_EQ(dec(unhex("e3"), 5).value, 3u);
  EXPECT_EQ(hex(enc(0x80, 7, 127)), "ff00");
}

TEST(Integer, RoundTripsAtEveryPrefixAndEdge) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    for (const std::uint32_t v : {0u, 1u, (1u << prefix) - 2, (1u << prefix) - 1, 1u << prefix,
                                  127u, 128u, 16383u, 16384u, 0xfffffffeu, 0xffffffffu}) {
      const decoded d = dec(enc(0, prefix, v), prefix);
      EXPECT_EQ(d.err, error{}) << prefix << " " << v;
      EXPECT_EQ(d.value, v) << prefix << " " << v;
    }
  }
}

TEST(Integer, MaxValueTakesFiveContinuationBytes) {
  EXPECT_EQ(hex(enc(0, 5, 0xffffffffu)), "1fe0ffffff0f");
}

TEST(Integer, TruncatedContinuationIsAnError) {
  EXPECT_EQ(dec(unhex("1f"), 5).err, error::truncated);
  EXPECT_EQ(dec(unhex("1f9a"), 5).err, error::truncated);
}

TEST(Integer, OverflowPast32BitsIsAnError) {
  EXPECT_EQ(dec(unhex("1fe1ffffff0f"), 5).err, error::integer_overflow);  // 2^32
  EXPECT_EQ(dec(unhex("1fffffffff7f"), 5).err, error::integer_overflow);
  // Redundant zero continuation bytes: allowed up to 5 in all, then refused
  // (a stream of 0x80 bytes must not be read forever).
  EXPECT_EQ(dec(unhex("1f80808080 00"), 5).value, 31u);
  EXPECT_EQ(dec(unhex("1f8080808080 00"), 5).err, error::integer_overflow);
  EXPECT_EQ(dec(unhex("ff ffffffffffffffffff 01"), 8).err, error::integer_overflow);
}

}  // namespace
}  // namespace lwspp::h2::hpack
