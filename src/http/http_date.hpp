// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate out, the three formats in.
#pragma once

#include <cstddef>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lwspp::http {

// Length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t http_date_length = 29;

// Writes `t` (seconds since the epoch, UTC) as an IMF-fixdate: exactly 29
// bytes, no NUL. Times before 0000-01-01 or after 9999-12-31T23:59:59 are
// clamped to those (the format has four year digits). Locale-independent,
// no gmtime(), no allocation.
void format_http_date(std::time_t t, std::span<char, http_date_length> out) noexcept;
std::string format_http_date(std::time_t t);

// Parses an HTTP-date, strictly: exactly one of
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
//   asctime      "Sun Nov  6 08:49:37 1994"   (day as "06" too)
// with case-sensitive names, single spaces, no surrounding whitespace (trim
// the field first), a real calendar day, the day name matching the date,
// hour <= 23, minute <= 59 and second <= 60 (a leap second counts as the next
// minute's :00). The two-digit year of RFC 850 is the most recent year with
// those digits that is at most 50 years after `now`'s year (RFC 9110
// §5.6.7). nullopt for anything else.
std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept;
// The same, relative to time(nullptr).
std::optional<std::time_t> parse_http_date(std::string_view text) noexcept;

// The current time as an IMF-fixdate, for the Date header. Cached per thread
// and reformatted at most once per second (one time(2) call, a vDSO read, per
// use). The view stays valid until the thread's next call.
std::string_view http_date_now() noexcept;

}  // namespace lwspp::http
