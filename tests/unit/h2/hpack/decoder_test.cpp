// The decoder on every RFC 7541 Appendix C example (C.2 to C.6, the dynamic
// table checked after each block) and on every error it reports.
#include "h2/hpack/decoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hpack_test_support.hpp"

namespace lwspp::h2::hpack {
namespace {

using test::pairs;
using test::req1;
using test::req2;
using test::req3;
using test::req_table1;
using test::req_table2;
using test::req_table3;
using test::table_pairs;
using test::to_pairs;
using test::unhex;

struct step {
  const char* block;
  pairs fields;
  pairs table;
  std::uint32_t table_size;
};

void run(decoder& d, const std::vector<step>& steps) {
  header_list out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const decode_result r = d.decode(unhex(steps[i].block), out);
    ASSERT_TRUE(r.ok()) << "block " << i << ": " << reason_for(r.err) << " at " << r.offset;
    EXPECT_EQ(to_pairs(out), steps[i].fields) << "block " << i;
    EXPECT_EQ(table_pairs(d.table()), steps[i].table) << "block " << i;
    EXPECT_EQ(d.table().size(), steps[i].table_size) << "block " << i;
  }
}

TEST(DecoderAppendixC, C2_1_LiteralWithIndexing) {
  decoder d;
  run(d, {{"400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
           {{"custom-key", "custom-header"}},
           {{"custom-key", "custom-header"}},
           55}});
}

TEST(DecoderAppendixC, C2_2_LiteralWithoutIndexing) {
  decoder d;
  run(d, {{"040c 2f73 616d 706c 652f 7061 7468", {{":path", "/sample/path"}}, {}, 0}});
}

TEST(DecoderAppendixC, C2_3_LiteralNeverIndexed) {
  decoder d;
  header_list out;
  ASSERT_TRUE(d.decode(unhex("1008 7061 7373 776f 7264 0673 6563 7265 74"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], (header_field{"password", "secret", true}));
  EXPECT_EQ(d.table().count(), 0u);
}

TEST(DecoderAppendixC, C2_4_Indexed) {
  decoder d;
  run(d, {{"82", {{":method", "GET"}}, {}, 0}});
}

TEST(DecoderAppendixC, C3_RequestsWithoutHuffman) {
  decoder d;
  run(d, {{"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", req1, req_table1, 57},
          {"8286 84be 5808 6e6f 2d63 6163 6865", req2, req_table2, 110},
          {"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65", req3,
           req_table3, 164}});
}

TEST(DecoderAppendixC, C4_RequestsWithHuffman) {
  decoder d;
  run(d, {{"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", req1, req_table1, 57},
          {"8286 84be 5886 a8eb 1064 9cbf", req2, req_table2, 110},
          {"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", req3, req_table3, 164}});
}

const char* const date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const char* const date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const char* const loc = "https://www.example.com";
const char* const cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const pairs resp1 = {
    {":status", "302"}, {"cache-control", "private"}, {"date", date1}, {"location", loc}};
const pairs resp2 = {
    {":status", "307"}, {"cache-control", "private"}, {"date", date1}, {"location", loc}};
const pairs resp3 = {{":status", "200"}, {"cache-control", "private"}, {"date", date2},
                     {"location", loc},  {"content-encoding", "gzip"}, {"set-cookie", cookie}};
const pairs resp_table1 = {
    {"location", loc}, {"date", date1}, {"cache-control", "private"}, {":status", "302"}};
const pairs resp_table2 = {
    {":status", "307"}, {"location", loc}, {"date", date1}, {"cache-control", "private"}};
const pairs resp_table3 = {{"set-cookie", cookie}, {"content-encoding", "gzip"}, {"date", date2}};

// C.5 and C.6 run with a 256-byte table: the second and third blocks evict.
TEST(DecoderAppendixC, C5_ResponsesWithoutHuffman) {
  decoder d({.max_table_size = 256});
  run(d, {{"4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032"
           "303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63"
           "6f6d",
           resp1, resp_table1, 222},
          {"4803 3330 37c1 c0bf", resp2, resp_table2, 222},
          {"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0"
           "5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851"
           "5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
           resp3, resp_table3, 215}});
}

TEST(DecoderAppendixC, C6_ResponsesWithHuffman) {
  decoder d({.max_table_size = 256});
  run(d, {{"4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b"
           "ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
           resp1, resp_table1, 222},
          {"4883 640e ffc1 c0bf", resp2, resp_table2, 222},
          {"88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad"
           "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160"
           "65c0 03ed 4ee5 b106 3d50 07",
           resp3, resp_table3, 215}});
}

decode_result decode_hex(decoder& d, const char* block) {
  header_list out;
  return d.decode(unhex(block), out);
}

void expect_error(const char* block, error e, std::size_t offset, decoder_settings s = {}) {
  decoder d(s);
  const decode_result r = decode_hex(d, block);
  EXPECT_EQ(r.err, e) << block << ": got " << reason_for(r.err);
  EXPECT_EQ(r.offset, offset) << block;
}

TEST(DecoderErrors, IndexZero) {
  expect_error("82 80", error::bad_index, 1);
}

TEST(DecoderErrors, IndexPastTheTables) {
  expect_error("be", error::bad_index, 0);               // 62, empty dynamic table
  expect_error("4001 6101 62 bf", error::bad_index, 5);  // 63 with one entry
  expect_error("7f00 0161", error::bad_index, 0);        // literal naming index 63
  expect_error("0f2f 0161", error::bad_index, 0);        // 4-bit prefix: index 62
}

TEST(DecoderErrors, Truncated) {
  expect_error("ff", error::truncated, 0);              // integer cut
  expect_error("40", error::truncated, 0);              // no name string
  expect_error("4005 6162", error::truncated, 0);       // name shorter than its length
  expect_error("4001 61", error::truncated, 0);         // no value
  expect_error("0001 6103 6263", error::truncated, 0);  // value cut
  expect_error("82 41", error::truncated, 1);           // value of an indexed-name literal
}

TEST(DecoderErrors, IntegerOverflow) {
  expect_error("ff ffffffff7f", error::integer_overflow, 0);
  expect_error("40 7f ffffffff0f", error::integer_overflow, 0);  // string length
}

TEST(DecoderErrors, StringTooLong) {
  expect_error("4004 6162 6364 00", error::string_too_long, 0, {.max_string_length = 3});
  // Huffman: 4 coded bytes within the limit, but 6 decoded ones over it.
  expect_error("0084 0000 003f 00", error::string_too_long, 0, {.max_string_length = 5});
  // A huge length is refused before looking for the bytes.
  expect_error("007f ffffff0f", error::string_too_long, 0);
}

TEST(DecoderErrors, BadHuffman) {
  expect_error("0081 ff 00", error::bad_huffman, 0);             // 8 bits of padding
  expect_error("0081 06 00", error::bad_huffman, 0);             // padding not all ones
  expect_error("0084 ffff ffff 00", error::bad_huffman, 0);      // EOS
  expect_error("0081 07 85 1fffffffff", error::bad_huffman, 0);  // EOS in the value
}

TEST(DecoderErrors, SizeUpdateOverTheMaximum) {
  expect_error("3fe2 1f", error::size_update_too_large, 0);  // 4097 > 4096
  decoder d;
  EXPECT_TRUE(decode_hex(d, "3fe1 1f").ok());  // 4096 exactly
  EXPECT_EQ(d.table().max_size(), 4096u);
}

TEST(DecoderErrors, SizeUpdateAfterAField) {
  expect_error("82 20", error::size_update_not_at_start, 1);
  // Two at the start are fine (the smallest, then the final one).
  decoder d;
  EXPECT_TRUE(decode_hex(d, "20 3fe1 1f 82").ok());
}

TEST(DecoderErrors, SizeUpdateMissingAfterTheSettingWasLowered) {
  decoder d;
  d.set_max_table_size(100);
  EXPECT_EQ(decode_hex(d, "82").err, error::size_update_missing);
  decoder d2;
  d2.set_max_table_size(100);
  EXPECT_EQ(decode_hex(d2, "").err, error::size_update_missing);
  decoder d3;
  d3.set_max_table_size(100);
  EXPECT_EQ(decode_hex(d3, "3f e2 1f").err, error::size_update_too_large);  // 4097 > 100
  decoder d4;
  d4.set_max_table_size(100);
  EXPECT_TRUE(decode_hex(d4, "3f 45 82").ok());  // 100
  EXPECT_EQ(d4.table().max_size(), 100u);
  EXPECT_TRUE(decode_hex(d4, "82").ok());  // once is enough
}

TEST(DecoderErrors, RaisedSettingNeedsNoUpdate) {
  decoder d;
  d.set_max_table_size(8192);
  EXPECT_TRUE(decode_hex(d, "82").ok());
  EXPECT_EQ(d.table().max_size(), 4096u);
  EXPECT_TRUE(decode_hex(d, "3f e1 3f 82").ok());  // 8192 now allowed
  EXPECT_EQ(d.table().max_size(), 8192u);
}

TEST(DecoderErrors, ErrorsAreCompressionErrorsButTheListLimit) {
  EXPECT_TRUE(is_connection_error(error::bad_huffman));
  EXPECT_TRUE(is_connection_error(error::size_update_missing));
  EXPECT_FALSE(is_connection_error(error::header_list_too_large));
  EXPECT_EQ(std::error_code(error::bad_index).category().name(), std::string("lwspp.hpack"));
  EXPECT_EQ(std::error_code(error::bad_index).message(), "HPACK index out of range");
}

TEST(DecoderListLimit, OverTheLimitIsADistinctErrorAndKeepsTheTableInStep) {
  // Each ":authority: www.example.com" counts 10 + 15 + 32 = 57.
  decoder d({.max_header_list_size = 100});
  header_list out;
  const std::string block = unhex("418c f1e3 c2e5 f23a 6ba0 ab90 f4ff be be");  // +2 references
  const decode_result r = d.decode(block, out);
  EXPECT_EQ(r.err, error::header_list_too_large);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(table_pairs(d.table()), (pairs{{":authority", "www.example.com"}}));
  // The connection goes on: the next block can use the entry.
  EXPECT_TRUE(d.decode(unhex("be"), out).ok());
  EXPECT_EQ(to_pairs(out), (pairs{{":authority", "www.example.com"}}));
  EXPECT_EQ(out.list_size(), 57u);
}

TEST(DecoderListLimit, EntriesAddedPastTheLimitStillCount) {
  decoder d({.max_header_list_size = 40});
  header_list out;
  // 33 bytes ok, then two indexed-literals over the limit that must still
  // enter the table, then a bad index that must still be caught.
  EXPECT_EQ(d.decode(unhex("0001 6100 4001 6201 32 4001 6301 33"), out).err,
            error::header_list_too_large);
  EXPECT_EQ(table_pairs(d.table()), (pairs{{"c", "3"}, {"b", "2"}}));
  EXPECT_EQ(d.decode(unhex("0001 6100 be ff10"), out).err, error::bad_index);
}

TEST(DecoderListLimit, ExactlyAtTheLimitPasses) {
  decoder d({.max_header_list_size = 57});
  header_list out;
  EXPECT_TRUE(d.decode(unhex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff").substr(3), out).ok());
}

TEST(DecoderReuse, TheListIsClearedAndReused) {
  decoder d;
  header_list out;
  ASSERT_TRUE(d.decode(unhex("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"), out).ok());
  EXPECT_EQ(out.size(), 4u);
  ASSERT_TRUE(d.decode(unhex("82"), out).ok());
  EXPECT_EQ(to_pairs(out), (pairs{{":method", "GET"}}));
}

TEST(DecoderReuse, LiteralNamingAnEntryItEvicts) {
  // RFC 7541 §4.4: the new entry may name the entry its insertion evicts.
  decoder d({.max_table_size = 40});
  header_list out;
  ASSERT_TRUE(d.decode(unhex("4003 6b65 7901 31"), out).ok());  // key: 1 (36 bytes)
  ASSERT_TRUE(d.decode(unhex("7e01 32"), out).ok());            // name of 62, value 2
  EXPECT_EQ(to_pairs(out), (pairs{{"key", "2"}}));
  EXPECT_EQ(table_pairs(d.table()), (pairs{{"key", "2"}}));
}

}  // namespace
}  // namespace lwspp::h2::hpack
