// Tests for RFC 6265 §5.1.1 (src/http/cookie_date.cpp): the three HTTP date
// formats, the near-misses browsers accept, and what the algorithm fails.
#include "http/cookie_date.hpp"

#include <gtest/gtest.h>

namespace {

using lwspp::http::detail::parse_cookie_date;
using namespace std::chrono;

sys_seconds at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(cookie_date, http_date_formats) {
  const auto want = at(1994, 11, 6, 8, 49, 37);
  EXPECT_EQ(parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT"), want);
  EXPECT_EQ(parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT"), want);
  EXPECT_EQ(parse_cookie_date("Sun Nov  6 08:49:37 1994"), want);
}

TEST(cookie_date, tolerated_forms) {
  const auto want = at(2030, 1, 2, 3, 4, 5);
  const std::string_view forms[] = {
      "Wed, 02 Jan 2030 03:04:05 GMT",
      "Wed, 02-Jan-2030 03:04:05 GMT",
      "02 january 2030 3:4:5",            // month by its first three letters, one-digit time fields
      "2-JAN-30 03:04:05",                // two-digit year 30 -> 2030
      "03:04:05 2030 Jan 2",              // any order: time, day, month, year by first match
      "Wed,02 Jan 2030 03:04:05GMT",      // no space after the comma, zone glued on
      "Wed, 02 Jan 2030 03:04:05 +0000",  // zones are ignored
      "  ;02;jan;2030;03:04:05xyz  ",     // trailing junk after the time's digits
      "Wed, 2nd Jan 2030 03:04:05 UTC",   // "2nd": digits then non-digits
  };
  for (std::string_view f : forms)
    EXPECT_EQ(parse_cookie_date(f), want) << f;
  EXPECT_EQ(parse_cookie_date("01 Jan 70 00:00:00"), at(1970, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_cookie_date("01 Jan 69 00:00:00"), at(2069, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_cookie_date("31 Dec 9999 23:59:59"), at(9999, 12, 31, 23, 59, 59));
  EXPECT_EQ(parse_cookie_date("1 Jan 1601 00:00:00"), at(1601, 1, 1, 0, 0, 0));
  EXPECT_EQ(parse_cookie_date("29 Feb 2024 00:00:00"), at(2024, 2, 29, 0, 0, 0));
}

TEST(cookie_date, failures) {
  const std::string_view bad[] = {
      "",
      "Sun, 06 Nov 1994",        // no time
      "Sun, Nov 1994 08:49:37",  // no day (1994 is no 1*2DIGIT day)
      "Sun, 06 1994 08:49:37",   // no month
      "06Nov1994 08:49:37",      // "06Nov1994" is one token: a day, no month or year
      "Sun, 06 Nov 08:49:37",    // no year
      "06 Nov 1600 08:49:37",    // before 1601
      "32 Nov 1994 08:49:37",    // day 32
      "00 Nov 1994 08:49:37",    // day 0
      "06 Nov 1994 24:00:00",    // hour 24
      "06 Nov 1994 23:60:00",
      "06 Nov 1994 23:59:60",  // no leap seconds in §5.1.1
      "30 Feb 2030 00:00:00",  // not a day of February
      "29 Feb 2023 00:00:00",
      "06 Nov 19945 08:49:37",  // five-digit year: not a year token
      "06 Nov 1994 008:49:37",  // three-digit hour: not a time token
  };
  for (std::string_view b : bad)
    EXPECT_FALSE(parse_cookie_date(b)) << b;
}

}  // namespace
