// Tests for lwspp::util::utf8_validator (src/util/utf8.cpp): every 1-, 2-
// and 3-byte sequence and a sweep of 4-byte ones against a plain reference
// decoder, split at every position, and fail-fast behaviour.
#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

using lwspp::util::is_valid_utf8;
using lwspp::util::utf8_validator;

// The reference: decode code point by code point (RFC 3629 §4).
bool reference_valid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 1, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3, cp = b & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    const std::uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool split_valid(const std::string& s, std::size_t at) {
  utf8_validator v;
  const bool a = v.feed(std::string_view(s).substr(0, at));
  const bool b = v.feed(std::string_view(s).substr(at));
  return a && b && v.complete();
}

TEST(utf8, every_short_sequence_matches_the_reference) {
  std::string s;
  for (unsigned a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a;
    for (unsigned b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b;
      if (a < 0xE0 || a > 0xF4) continue;
      for (unsigned c = 0; c < 256; ++c) {
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        const bool want = reference_valid(s);
        ASSERT_EQ(is_valid_utf8(s), want) << a << " " << b << " " << c;
        ASSERT_EQ(split_valid(s, 1), want);
        ASSERT_EQ(split_valid(s, 2), want);
      }
    }
  }
}

TEST(utf8, four_byte_sequences_match_the_reference) {
  std::string s(4, '\0');
  for (unsigned a = 0xF0; a <= 0xF7; ++a)
    for (unsigned b = 0x70; b < 0xD0; b += 3)
      for (unsigned c = 0x70; c < 0xD0; c += 5)
        for (unsigned d = 0x70; d < 0xD0; d += 7) {
          s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
               static_cast<char>(d)};
          const bool want = reference_valid(s);
          ASSERT_EQ(is_valid_utf8(s), want);
          for (std::size_t at = 1; at < 4; ++at)
            ASSERT_EQ(split_valid(s, at), want);
        }
}

TEST(utf8, random_text_in_long_runs_split_anywhere) {
  std::mt19937 rng(42);
  const std::string pieces[] = {"a",
                                "hello world, ",
                                "\xc3\xa9",
                                "\xe2\x82\xac",
                                "\xf0\x9f\x98\x80",
                                "\xed\x9f\xbf",
                                "\xf4\x8f\xbf\xbf",
                                std::string(40, 'x')};
  for (int round = 0; round < 300; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i)
      s += pieces[rng() % std::size(pieces)];
    if (round % 2 == 1 && !s.empty()) s[rng() % s.size()] = static_cast<char>(rng() % 256);
    const bool want = reference_valid(s);
    ASSERT_EQ(is_valid_utf8(s), want) << round;
    for (std::size_t at = 0; at <= s.size(); at += 1 + s.size() / 16)
      ASSERT_EQ(split_valid(s, at), want) << round << " at " << at;
  }
}

TEST(utf8, fails_as_soon_as_a_sequence_cannot_be_valid) {
  const char* bad_prefixes[] = {"\xc0",     "\xc1",     "\xf5",     "\xff",     "\x80",
                                "\xe0\x80", "\xed\xa0", "\xf0\x80", "\xf4\x90", "\xc3\x41"};
  for (const char* p : bad_prefixes) {
    utf8_validator v;
    EXPECT_FALSE(v.feed(p)) << p;
    EXPECT_TRUE(v.failed());
    EXPECT_FALSE(v.feed("ok")) << "stays failed";
  }
  const char* open_prefixes[] = {"\xc3", "\xe2\x82", "\xf0\x9f\x98", "abc\xf4\x8f"};
  for (const char* p : open_prefixes) {
    utf8_validator v;
    EXPECT_TRUE(v.feed(p)) << p;
    EXPECT_FALSE(v.complete()) << "ends inside a sequence";
  }
  utf8_validator v;
  EXPECT_TRUE(v.feed(std::string(1000, 'a') + "\xe2"));
  EXPECT_TRUE(v.feed("\x82"));
  EXPECT_TRUE(v.feed("\xac" + std::string(33, 'b')));
  EXPECT_TRUE(v.complete());
  v.reset();
  EXPECT_FALSE(v.feed(std::string(1000, 'a') + "\xe2\x28"));
}

}  // namespace
