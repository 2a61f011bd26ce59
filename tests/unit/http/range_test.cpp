// Tests for Range and If-Range (src/http/range.cpp).
#include "http/range.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using lwspp::http::byte_range;
using lwspp::http::if_range_matches;
using lwspp::http::parse_range;
using lwspp::http::range_set;
using lwspp::http::range_status;

std::vector<byte_range> ranges(const range_set& r) {
  return {r.begin(), r.end()};
}

// The ranges of a 206 answer, or a failure naming the status.
std::vector<byte_range> partial(std::string_view field, std::uint64_t size) {
  const range_set r = parse_range(field, size);
  EXPECT_EQ(r.status(), range_status::partial) << field;
  return ranges(r);
}

range_status status_of(std::string_view field, std::uint64_t size) {
  const range_set r = parse_range(field, size);
  if (r.status() != range_status::partial) {
    EXPECT_TRUE(r.empty()) << field;
  }
  return r.status();
}

using v = std::vector<byte_range>;

TEST(Range, SingleRanges) {
  EXPECT_EQ(partial("bytes=0-499", 10000), (v{{0, 500}}));
  EXPECT_EQ(partial("bytes=500-999", 10000), (v{{500, 500}}));
  EXPECT_EQ(partial("bytes=9500-", 10000), (v{{9500, 500}}));
  EXPECT_EQ(partial("bytes=-500", 10000), (v{{9500, 500}}));
  EXPECT_EQ(partial("bytes=0-0", 10000), (v{{0, 1}}));
  EXPECT_EQ(partial("bytes=-1", 10000), (v{{9999, 1}}));
  EXPECT_EQ(partial("bytes=0-", 1), (v{{0, 1}}));
  EXPECT_EQ(partial("bytes=9999-9999", 10000), (v{{9999, 1}}));
  EXPECT_EQ(partial("bytes=0-", 10000)[0].last(), 9999u);
}

TEST(Range, ClampedAtTheEnd) {
  EXPECT_EQ(partial("bytes=500-20000", 10000), (v{{500, 9500}}));
  EXPECT_EQ(partial("bytes=-20000", 10000), (v{{0, 10000}}));
  EXPECT_EQ(partial("bytes=0-99999999999999999999999999", 10), (v{{0, 10}}));
  EXPECT_EQ(partial("bytes=-99999999999999999999999999", 10), (v{{0, 10}}));
  EXPECT_EQ(partial("bytes=5-18446744073709551615", 10), (v{{5, 5}}));
}

TEST(Range, UnitWhitespaceAndEmptyElements) {
  EXPECT_EQ(partial("Bytes=0-1", 10), (v{{0, 2}}));
  EXPECT_EQ(partial("BYTES=0-1", 10), (v{{0, 2}}));
  EXPECT_EQ(partial("  bytes=0-1\t", 10), (v{{0, 2}}));
  EXPECT_EQ(partial("bytes=0-1 , 5-6", 10), (v{{0, 2}, {5, 2}}));
  EXPECT_EQ(partial("bytes=0-1,\t5-6", 10), (v{{0, 2}, {5, 2}}));
  EXPECT_EQ(partial("bytes=0-1,,5-6,", 10), (v{{0, 2}, {5, 2}}));
  EXPECT_EQ(partial("bytes=,0-1", 10), (v{{0, 2}}));
}

TEST(Range, InvalidSyntaxIsIgnored) {
  for (std::string_view bad : {
           "",
           "bytes",
           "bytes=",
           "bytes=,",
           "bytes= 0-1",  // blank after '='
           "bytes =0-1",
           "bytes=0 -1",
           "bytes=0- 1",
           "bytes=1-0",  // last < first
           "bytes=5-4",
           "bytes=-",
           "bytes=--1",
           "bytes=0--1",
           "bytes=+1-2",
           "bytes=1-+2",
           "bytes=0x10-20",
           "bytes=a-b",
           "bytes=0-1;q=1",
           "bytes=0-1,junk",  // one bad element spoils the lot
           "bytes=0-1,1-0",
           "items=0-1",
           "bytes0-1",
           "=0-1",
           "bytes=0-1=2",
           "bytes=1.5-2",
           "bytes=\xff-1",
       }) {
    EXPECT_EQ(status_of(bad, 10000), range_status::ignore) << "\"" << bad << "\"";
  }
}

TEST(Range, Unsatisfiable) {
  EXPECT_EQ(status_of("bytes=10000-", 10000), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=10000-20000", 10000), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=-0", 10000), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=20000-30000, 40000-", 10000), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=99999999999999999999-", 10000), range_status::unsatisfiable);
  // Unsatisfiable members are dropped when others are satisfiable.
  EXPECT_EQ(partial("bytes=20000-30000, 0-1, -0", 10000), (v{{0, 2}}));
}

TEST(Range, EmptyFile) {
  EXPECT_EQ(status_of("bytes=0-", 0), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=0-0", 0), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=-0", 0), range_status::unsatisfiable);
  EXPECT_EQ(status_of("bytes=-5", 0), range_status::ignore);  // satisfiable, but zero bytes
  EXPECT_EQ(status_of("bytes=junk", 0), range_status::ignore);
}

TEST(Range, MultipleKeepOrderUnlessTheyTouch) {
  EXPECT_EQ(partial("bytes=500-600,0-100", 10000), (v{{500, 101}, {0, 101}}));
  EXPECT_EQ(partial("bytes=0-1,4-5,8-9", 10), (v{{0, 2}, {4, 2}, {8, 2}}));
  // Overlapping: sorted and merged.
  EXPECT_EQ(partial("bytes=500-700,601-999", 10000), (v{{500, 500}}));
  EXPECT_EQ(partial("bytes=0-10,5-15,2-3", 100), (v{{0, 16}}));
  // Touching (adjacent) ranges merge too.
  EXPECT_EQ(partial("bytes=0-9,10-19", 100), (v{{0, 20}}));
  // One overlap sorts everything.
  EXPECT_EQ(partial("bytes=50-60,0-5,3-8", 100), (v{{0, 9}, {50, 11}}));
  // A suffix and an open range over the same bytes.
  EXPECT_EQ(partial("bytes=-100,9900-", 10000), (v{{9900, 100}}));
  // The "Apache Killer": many overlapping ranges become one.
  std::string killer = "bytes=0-";
  for (int i = 1; i < 16; ++i)
    killer += ",5-" + std::to_string(5 + i);
  EXPECT_EQ(partial(killer, 1000), (v{{0, 1000}}));
}

TEST(Range, TooManyRangesServeTheWholeFile) {
  std::string field = "bytes=0-0";
  for (int i = 1; i < 16; ++i)
    field += "," + std::to_string(2 * i) + "-" + std::to_string(2 * i);
  EXPECT_EQ(parse_range(field, 1000).size(), 16u);
  EXPECT_EQ(status_of(field + ",40-40", 1000), range_status::ignore);
  // Empty elements do not count.
  EXPECT_EQ(parse_range(field + ",,,", 1000).size(), 16u);
  // A lower limit.
  EXPECT_EQ(parse_range("bytes=0-1,4-5", 10, 1).status(), range_status::ignore);
  EXPECT_EQ(parse_range("bytes=0-1", 10, 1).status(), range_status::partial);
  EXPECT_EQ(parse_range("bytes=0-1", 10, 0).status(), range_status::ignore);
  EXPECT_EQ(parse_range("bytes=0-1", 10, 100).status(), range_status::partial);
}

TEST(IfRange, EntityTags) {
  const std::string_view tag = "\"abc-12\"";
  EXPECT_TRUE(if_range_matches("\"abc-12\"", tag, 1000, 5000));
  EXPECT_TRUE(if_range_matches(" \"abc-12\" ", tag, 1000, 5000));
  EXPECT_FALSE(if_range_matches("\"abc-13\"", tag, 1000, 5000));
  EXPECT_FALSE(if_range_matches("W/\"abc-12\"", tag, 1000, 5000));
  EXPECT_FALSE(if_range_matches("\"abc-12\"", "W/\"abc-12\"", 1000, 5000));
  EXPECT_FALSE(if_range_matches("\"abc-12\"", "", 1000, 5000));
  EXPECT_FALSE(if_range_matches("\"abc-12\", \"x\"", tag, 1000, 5000));
  EXPECT_FALSE(if_range_matches("", tag, 1000, 5000));
  EXPECT_FALSE(if_range_matches("*", tag, 1000, 5000));
}

TEST(IfRange, Dates) {
  const std::time_t mtime = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  const std::time_t now = 1750000000;
  EXPECT_TRUE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"t\"", mtime, now));
  EXPECT_TRUE(if_range_matches("Sunday, 06-Nov-94 08:49:37 GMT", "\"t\"", mtime, now));
  EXPECT_TRUE(if_range_matches("Sun Nov  6 08:49:37 1994", "\"t\"", mtime, now));
  // Exact match only: earlier or later is false.
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:38 GMT", "\"t\"", mtime, now));
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:36 GMT", "\"t\"", mtime, now));
  // A Last-Modified in the current second is weak: false.
  EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"t\"", mtime, mtime));
  EXPECT_TRUE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", "\"t\"", mtime, mtime + 1));
  EXPECT_FALSE(if_range_matches("yesterday", "\"t\"", mtime, now));
}

}  // namespace
