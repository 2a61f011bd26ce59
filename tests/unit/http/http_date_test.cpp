// Tests for HTTP date formatting and parsing (src/http/http_date.cpp).
#include "http/http_date.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <string_view>
#include <thread>

namespace {

using lwspp::http::format_http_date;
using lwspp::http::http_date_now;
using lwspp::http::parse_http_date;

constexpr std::time_t rfc_example = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::time_t now_2025 = 1750000000;    // 2025-06-15

std::string gmtime_format(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);  // "C" locale in tests
  return buf;
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(format_http_date(rfc_example), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(format_http_date(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
  EXPECT_EQ(format_http_date(253402300800), "Fri, 31 Dec 9999 23:59:59 GMT");  // clamped
  EXPECT_EQ(format_http_date(-62167219200), "Sat, 01 Jan 0000 00:00:00 GMT");
  EXPECT_EQ(format_http_date(-62167219201), "Sat, 01 Jan 0000 00:00:00 GMT");  // clamped
}

TEST(HttpDate, FormatMatchesGmtimeOverManyDates) {
  for (std::time_t t = -2208988800; t < 4102444800; t += 86400 * 37 + 3671) {
    ASSERT_EQ(format_http_date(t), gmtime_format(t)) << t;
  }
}

TEST(HttpDate, ParsesTheThreeFormats) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now_2025), rfc_example);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now_2025), rfc_example);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994", now_2025), rfc_example);
  EXPECT_EQ(parse_http_date("Sun Nov 06 08:49:37 1994", now_2025), rfc_example);
  EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT", now_2025), 0);
  EXPECT_EQ(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT", now_2025), -62167219200);
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT", now_2025), 253402300799);
}

TEST(HttpDate, LeapSecondIsTheNextMinute) {
  EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", now_2025),
            parse_http_date("Sun, 01 Jan 2017 00:00:00 GMT", now_2025));
  EXPECT_EQ(parse_http_date("Fri, 31 Dec 9999 23:59:60 GMT", now_2025), std::nullopt);
}

TEST(HttpDate, Rfc850TwoDigitYearWithin50Years) {
  auto year_of = [](std::string_view text, std::time_t now) {
    auto t = parse_http_date(text, now);
    if (!t) return -1;
    std::tm tm{};
    ::gmtime_r(&*t, &tm);
    return tm.tm_year + 1900;
  };
  // From 2025: 75 is 2075 (50 years ahead), 76 is 1976.
  EXPECT_EQ(year_of("Thursday, 03-Jan-75 00:00:00 GMT", now_2025), 2075);
  EXPECT_EQ(year_of("Saturday, 03-Jan-76 00:00:00 GMT", now_2025), 1976);
  EXPECT_EQ(year_of("Friday, 01-Jan-99 00:00:00 GMT", now_2025), 1999);
  EXPECT_EQ(year_of("Saturday, 01-Jan-00 00:00:00 GMT", now_2025), 2000);
  // From 2090: 00 is 2100, not 2000.
  const std::time_t now_2090 = 3786825600;
  EXPECT_EQ(year_of("Friday, 01-Jan-00 00:00:00 GMT", now_2090), 2100);
  EXPECT_EQ(year_of("Tuesday, 01-Jan-41 00:00:00 GMT", now_2090), 2041);
}

TEST(HttpDate, StrictRefusals) {
  for (std::string_view bad : {
           "",
           "Sun",
           "Sun, 06 Nov 1994 08:49:37 GMT ",    // trailing space
           " Sun, 06 Nov 1994 08:49:37 GMT",    // leading space
           "Sun, 06 Nov 1994 08:49:37 UTC",     // not GMT
           "Sun, 06 Nov 1994 08:49:37 gmt",     // case-sensitive
           "sun, 06 Nov 1994 08:49:37 GMT",     // case-sensitive
           "Sun, 06 nov 1994 08:49:37 GMT",     // case-sensitive
           "Mon, 06 Nov 1994 08:49:37 GMT",     // wrong weekday
           "Sun, 6 Nov 1994 08:49:37 GMT",      // one-digit day
           "Sun,  6 Nov 1994 08:49:37 GMT",     // space-padded day
           "Sun, 06 Nov 94 08:49:37 GMT",       // two-digit year in IMF
           "Sun, 06 Nov 1994 8:49:37 GMT",      // one-digit hour
           "Sun, 06 Nov 1994 24:00:00 GMT",     // hour 24
           "Sun, 06 Nov 1994 08:60:00 GMT",     // minute 60
           "Sun, 06 Nov 1994 08:49:61 GMT",     // second 61
           "Sun, 06 Nov 1994 08:49 GMT",        // no seconds
           "Sun, 06 Nov 1994 08:49:37",         // no zone
           "Sun, 06 Nov 1994 08:49:37 +0000",   // numeric zone
           "Sun, 06-Nov-1994 08:49:37 GMT",     // mixed formats
           "Sun,06 Nov 1994 08:49:37 GMT",      // missing space
           "Sun, 06  Nov 1994 08:49:37 GMT",    // double space
           "Tue, 29 Feb 2100 00:00:00 GMT",     // 2100 is not a leap year
           "Mon, 31 Apr 2000 00:00:00 GMT",     // April has 30 days
           "Sat, 00 Jan 2000 00:00:00 GMT",     // day 0
           "Sun, 06 Xyz 1994 08:49:37 GMT",     // month
           "Sun, +6 Nov 1994 08:49:37 GMT",     // sign
           "Sun, 06 Nov 1994 08:49:37 GMTX",    // trailing garbage
           "Sunday, 06-Nov-94 08:49:37 GMT\r",  // trailing CR
           "Sunday, 06 Nov 1994 08:49:37 GMT",  // RFC 850 name, IMF date
           "Sun, 06-Nov-94 08:49:37 GMT",       // short name in RFC 850
           "Sunday, 6-Nov-94 08:49:37 GMT",     // one-digit day
           "Monday, 06-Nov-94 08:49:37 GMT",    // wrong weekday
           "Sun Nov 6 08:49:37 1994",           // asctime day needs two columns
           "Sun Nov   6 08:49:37 1994",         // three spaces
           "Sun Nov  6 08:49:37 94",            // two-digit year
           "Sun Nov  6 08:49:37 1994 GMT",      // asctime has no zone
           "Sun Nov  6 08:49:37 1994\n",        // trailing LF
       }) {
    EXPECT_EQ(parse_http_date(bad, now_2025), std::nullopt) << "\"" << bad << "\"";
  }
  // An embedded NUL is just another byte that does not belong.
  EXPECT_EQ(parse_http_date(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT\0", 30), now_2025),
            std::nullopt);
  EXPECT_EQ(parse_http_date(std::string_view("Sun, 06 Nov 1994\0 08:49:37 GMT", 30), now_2025),
            std::nullopt);
}

TEST(HttpDate, RoundTripAcrossTheRange) {
  for (std::time_t t = -62167219200; t < 253402300799; t += 86400 * 365 + 12345) {
    const std::string s = format_http_date(t);
    ASSERT_EQ(parse_http_date(s, now_2025), t) << s;
  }
}

TEST(HttpDate, NowIsCachedPerThreadAndCurrent) {
  const std::string_view a = http_date_now();
  ASSERT_EQ(a.size(), lwspp::http::http_date_length);
  auto parsed = parse_http_date(a);
  ASSERT_TRUE(parsed.has_value()) << a;
  EXPECT_LE(std::abs(static_cast<long>(*parsed - std::time(nullptr))), 1);
  EXPECT_EQ(http_date_now().data(), a.data());  // same thread, same buffer
  const char* other = nullptr;
  std::thread([&] { other = http_date_now().data(); }).join();
  EXPECT_NE(other, a.data());
}

}  // namespace
