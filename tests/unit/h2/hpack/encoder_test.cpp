// The encoder: RFC 7541 Appendix C.3/C.4 byte for byte, the indexing policy,
// size updates, and round trips through our decoder.
#include "h2/hpack/encoder.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "h2/hpack/decoder.hpp"
#include "hpack_test_support.hpp"

namespace lwspp::h2::hpack {
namespace {

using test::hex;
using test::pairs;
using test::req1;
using test::req2;
using test::req3;
using test::table_pairs;
using test::to_fields;
using test::to_pairs;
using test::unhex;

std::string encode(encoder& e, const pairs& p) {
  std::string out;
  e.encode(to_fields(p), out);
  return out;
}

std::string encode(encoder& e, const std::vector<header_field>& f) {
  std::string out;
  e.encode(f, out);
  return out;
}

TEST(EncoderAppendixC, C3_RequestsWithoutHuffman) {
  encoder e({.huffman = false});
  EXPECT_EQ(hex(encode(e, req1)), "828684410f7777772e6578616d706c652e636f6d");
  EXPECT_EQ(e.table().size(), 57u);
  EXPECT_EQ(hex(encode(e, req2)), "828684be58086e6f2d6361636865");
  EXPECT_EQ(e.table().size(), 110u);
  EXPECT_EQ(hex(encode(e, req3)), "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565");
  EXPECT_EQ(table_pairs(e.table()), (pairs{{"custom-key", "custom-value"},
                                           {"cache-control", "no-cache"},
                                           {":authority", "www.example.com"}}));
  EXPECT_EQ(e.table().size(), 164u);
}

TEST(EncoderAppendixC, C4_RequestsWithHuffman) {
  encoder e;
  EXPECT_EQ(hex(encode(e, req1)), "828684418cf1e3c2e5f23a6ba0ab90f4ff");
  EXPECT_EQ(hex(encode(e, req2)), "828684be5886a8eb10649cbf");
  EXPECT_EQ(hex(encode(e, req3)), "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");
  EXPECT_EQ(e.table().size(), 164u);
}

TEST(Encoder, StatusFastPathAndOtherStatuses) {
  encoder e;
  EXPECT_EQ(hex(encode(e, pairs{{":status", "200"}})), "88");
  EXPECT_EQ(hex(encode(e, pairs{{":status", "404"}})), "8d");
  EXPECT_EQ(hex(encode(e, pairs{{":status", "500"}})), "8e");
  // 302 is not in the static table: its name is (index 8), and it is indexed.
  EXPECT_EQ(hex(encode(e, pairs{{":status", "302"}})), "48826402");
  EXPECT_EQ(hex(encode(e, pairs{{":status", "302"}})), "be");
}

TEST(Encoder, NeverIndexedFieldsStaySo) {
  encoder e;
  std::vector<header_field> f = {{"x-secret", "abc", true}};
  const std::string block = encode(e, f);
  EXPECT_EQ(static_cast<std::uint8_t>(block[0]), 0x10);
  EXPECT_EQ(e.table().count(), 0u);
  decoder d;
  header_list out;
  ASSERT_TRUE(d.decode(block, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (header_field{"x-secret", "abc", true}));
  // Re-encoding the decoded list keeps the flag (an intermediary's case).
  std::string again;
  encoder e2;
  e2.encode(out, again);
  EXPECT_EQ(again, block);
}

TEST(Encoder, SensitiveHeadersAreNeverIndexed) {
  encoder e;
  // authorization: static name 23 → 0001 + 4-bit prefix 15, then 8.
  const std::string a = encode(e, pairs{{"authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(hex(a.substr(0, 2)), "1f08");
  const std::string c = encode(e, pairs{{"cookie", "id=42"}});  // short cookie
  EXPECT_EQ(hex(c.substr(0, 2)), "1f11");                       // name 32
  EXPECT_EQ(e.table().count(), 0u);
  // A long cookie is indexed and then referenced.
  const std::string long_cookie(40, 'z');
  encode(e, pairs{{"cookie", long_cookie}});
  EXPECT_EQ(e.table().count(), 1u);
  EXPECT_EQ(hex(encode(e, pairs{{"cookie", long_cookie}})), "be");
}

TEST(Encoder, RarelyRepeatingFieldsAreNotIndexed) {
  encoder e;
  const std::string b = encode(e, pairs{{"content-length", "1234"}, {"set-cookie", "a=b"}});
  EXPECT_EQ(static_cast<std::uint8_t>(b[0]) & 0xf0, 0x00);
  EXPECT_EQ(e.table().count(), 0u);
}

TEST(Encoder, HugeFieldsAreNotIndexed) {
  encoder e;
  encode(e, pairs{{"x-big", std::string(4000, 'q')}});
  EXPECT_EQ(e.table().count(), 0u);
}

TEST(Encoder, LiteralNameWhenNoTableHasIt) {
  encoder e({.huffman = false});
  EXPECT_EQ(hex(encode(e, pairs{{"x", "y"}})), "4001780179");
  EXPECT_EQ(hex(encode(e, pairs{{"x", "z"}})), "7e017a");  // name from the dynamic table
}

TEST(Encoder, HuffmanOnlyWhenShorter) {
  encoder e;
  // Bytes with long codes: raw is shorter.
  const std::string raw = "\x01\x02\x03";
  const std::string block = encode(e, pairs{{"x-bin", raw}});
  EXPECT_NE(block.find(std::string("\x03") + raw), std::string::npos);
}

TEST(EncoderSizeUpdates, EmittedAtTheNextBlockOnly) {
  encoder e;
  encode(e, req1);
  e.set_peer_max_table_size(0);
  const std::string b = encode(e, pairs{{":method", "GET"}});
  EXPECT_EQ(hex(b), "2082");
  EXPECT_EQ(e.table().count(), 0u);
  EXPECT_EQ(hex(encode(e, pairs{{":method", "GET"}})), "82");
}

TEST(EncoderSizeUpdates, SmallestThenFinalWhenLoweredThenRaised) {
  encoder e({.max_table_size = 65536});
  e.set_peer_max_table_size(100);
  e.set_peer_max_table_size(8192);
  const std::string b = encode(e, pairs{{":method", "GET"}});
  EXPECT_EQ(hex(b),
            "3f45"
            "3fe13f"
            "82");  // 100, then 8192
  EXPECT_EQ(e.table().max_size(), 8192u);
}

TEST(EncoderSizeUpdates, OwnCapBelowTheDefaultIsAnnouncedFirst) {
  encoder e({.max_table_size = 256});
  EXPECT_EQ(hex(encode(e, pairs{{":method", "GET"}})), "3fe10182");  // 256
  e.set_peer_max_table_size(65536);  // above our cap: nothing to say
  EXPECT_EQ(hex(encode(e, pairs{{":method", "GET"}})), "82");
}

TEST(EncoderSizeUpdates, DecoderFollows) {
  encoder e({.max_table_size = 65536});
  decoder d({.max_table_size = 65536});
  header_list out;
  std::string b = encode(e, req3);
  ASSERT_TRUE(d.decode(b, out).ok());
  e.set_peer_max_table_size(60);
  d.set_max_table_size(60);
  b = encode(e, req3);
  ASSERT_TRUE(d.decode(b, out).ok());
  EXPECT_EQ(to_pairs(out), req3);
  EXPECT_EQ(table_pairs(d.table()), table_pairs(e.table()));
  EXPECT_EQ(d.table().max_size(), 60u);
}

// Random lists through encoder and decoder sharing one table history, with
// table size changes between blocks.
TEST(EncoderRoundTrip, RandomListsWithTableChanges) {
  std::mt19937 rng(9113);
  const char* names[] = {":method", ":path",          "cookie",     "authorization", "x-a",
                         "x-b",     "content-length", "user-agent", "accept",        "set-cookie"};
  encoder e({.max_table_size = 65536});
  decoder d({.max_table_size = 65536});
  header_list out;
  for (int block = 0; block < 500; ++block) {
    if (rng() % 10 == 0) {
      const std::uint32_t size = rng() % 3 == 0 ? 0 : rng() % 5000;
      e.set_peer_max_table_size(size);
      d.set_max_table_size(size);
    }
    pairs p;
    const std::size_t n = rng() % 12;
    for (std::size_t i = 0; i < n; ++i) {
      std::string v(rng() % 50, '\0');
      for (char& c : v)
        c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3);
      p.emplace_back(names[rng() % std::size(names)], v);
    }
    std::vector<header_field> f = to_fields(p);
    for (auto& x : f)
      x.never_indexed = rng() % 8 == 0;
    std::string b;
    e.encode(f, b);
    const decode_result r = d.decode(b, out);
    ASSERT_TRUE(r.ok()) << reason_for(r.err);
    ASSERT_EQ(out.size(), f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      EXPECT_EQ(out[i].name, f[i].name);
      EXPECT_EQ(out[i].value, f[i].value);
      if (f[i].never_indexed) {
        EXPECT_TRUE(out[i].never_indexed);
      }
    }
    ASSERT_EQ(table_pairs(d.table()), table_pairs(e.table()));
  }
}

}  // namespace
}  // namespace lwspp::h2::hpack
