// RFC 6265 §5.1.1, step by step: split into date-tokens at delimiters, then
// give each token to the first of time, day-of-month, month, year that has
// not been found yet and that matches it.
#include "http/cookie_date.hpp"

#include <array>

#include "util/ascii.hpp"

namespace lwspp::http::detail {

namespace {

// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
constexpr bool is_delimiter(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
         (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Reads min..max digits at `pos` into `value`; the digits must be followed
// by the end or, when `tail_ok`, by a non-digit (the grammar's
// "( non-digit *OCTET )"). Advances `pos` past the digits.
bool digits(std::string_view t, std::size_t& pos, std::size_t min, std::size_t max, int& value,
            bool tail_ok) noexcept {
  std::size_t n = 0;
  value = 0;
  while (pos < t.size() && is_digit(t[pos]) && n < max) {
    value = value * 10 + (t[pos] - '0');
    ++pos;
    ++n;
  }
  if (n < min) return false;
  if (pos == t.size()) return true;
  return tail_ok && !is_digit(t[pos]);
}

// hms-time = time-field ":" time-field ":" time-field, then optionally a
// non-digit and anything; time-field = 1*2DIGIT.
bool parse_time(std::string_view t, int& h, int& m, int& s) noexcept {
  std::size_t pos = 0;
  auto field = [&](int& v, bool last) {
    if (!digits(t, pos, 1, 2, v, true)) return false;
    if (last) return true;
    if (pos >= t.size() || t[pos] != ':') return false;
    ++pos;
    return true;
  };
  return field(h, false) && field(m, false) && field(s, true);
}

// month: the token's first three characters name a month (case-insensitive).
bool parse_month(std::string_view t, int& month) noexcept {
  static constexpr std::array<std::string_view, 12> names = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3) return false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (util::iequals(t.substr(0, 3), names[i])) {
      month = static_cast<int>(i) + 1;
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text) noexcept {
  bool have_time = false, have_day = false, have_month = false, have_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;

  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_delimiter(text[i]))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_delimiter(text[i]))
      ++i;
    const std::string_view token = text.substr(start, i - start);
    if (token.empty()) break;
    std::size_t pos = 0;
    if (!have_time && parse_time(token, hour, minute, second)) {
      have_time = true;
    } else if (!have_day && digits(token, pos, 1, 2, day, true)) {
      have_day = true;
    } else if (!have_month && parse_month(token, month)) {
      have_month = true;
    } else if (pos = 0; !have_year && digits(token, pos, 2, 4, year, true)) {
      have_year = true;
    }
  }
  if (!have_time || !have_day || !have_month || !have_year) return std::nullopt;
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;

  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;  // "Feb 30": §5.1.1 step 5 ("fail to parse").
  return sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace lwspp::http::detail
