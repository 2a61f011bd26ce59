// HTTP date formatting and parsing, with calendar arithmetic of our own
// (Howard Hinnant's days_from_civil / civil_from_days) instead of gmtime_r and
// timegm: exact for every year 0..9999, no locale, no TZ environment.
#include "http/http_date.hpp"

#include <algorithm>
#include <cstdint>

namespace lwspp::http {
namespace {

constexpr std::string_view day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view long_day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                "Thursday", "Friday", "Saturday"};
constexpr std::string_view month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct civil {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date.
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

// 0 = Sunday. 1970-01-01 was a Thursday.
constexpr int weekday(std::int64_t days) noexcept {
  return static_cast<int>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}
static_assert(weekday(0) == 4 && weekday(-1) == 3 && weekday(-4) == 0 && weekday(-5) == 6);

constexpr std::int64_t min_time = days_from_civil(0, 1, 1) * 86400;
constexpr std::int64_t max_time = days_from_civil(9999, 12, 31) * 86400 + 86399;

constexpr bool is_leap(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr int days_in_month(std::int64_t y, int m) noexcept {
  constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

void put2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// A cursor over the text; every step checks and consumes exactly what the
// grammar says, so a failed parse never reads past the end.
class reader {
 public:
  explicit reader(std::string_view s) noexcept : s_(s) {}

  bool literal(std::string_view lit) noexcept {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  // n decimal digits (no sign, no blanks).
  bool digits(int n, int& out) noexcept {
    if (s_.size() - pos_ < static_cast<std::size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      const char c = s_[pos_ + static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += static_cast<std::size_t>(n);
    out = v;
    return true;
  }
  // One of `names`; returns its index or -1.
  template <std::size_t N>
  int name(const std::string_view (&names)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) return static_cast<int>(i);
    }
    return -1;
  }
  bool at_end() const noexcept { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

struct fields {
  int wday = -1;
  std::int64_t year = 0;
  int month = 0;  // 1..12
  int day = 0;
  int hour = 0, minute = 0, second = 0;
};

bool time_of_day(reader& r, fields& f) noexcept {
  return r.digits(2, f.hour) && r.literal(":") && r.digits(2, f.minute) && r.literal(":") &&
         r.digits(2, f.second);
}

std::optional<std::time_t> to_time(const fields& f) noexcept {
  if (f.wday < 0 || f.month < 1 || f.day < 1 || f.day > days_in_month(f.year, f.month) ||
      f.hour > 23 || f.minute > 59 || f.second > 60) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(f.year, f.month, f.day);
  if (weekday(days) != f.wday) return std::nullopt;
  const std::int64_t t = days * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  if (t < min_time || t > max_time) return std::nullopt;  // e.g. 9999-12-31T23:59:60
  return static_cast<std::time_t>(t);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool imf_fixdate(reader& r, fields& f) noexcept {
  int year = 0;
  f.wday = r.name(day_names);
  const bool ok = f.wday >= 0 && r.literal(", ") && r.digits(2, f.day) && r.literal(" ") &&
                  (f.month = r.name(month_names) + 1) > 0 && r.literal(" ") && r.digits(4, year) &&
                  r.literal(" ") && time_of_day(r, f) && r.literal(" GMT");
  f.year = year;
  return ok && r.at_end();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool rfc850_date(reader& r, fields& f, std::int64_t now_year) noexcept {
  int yy = 0;
  f.wday = r.name(long_day_names);
  const bool ok = f.wday >= 0 && r.literal(", ") && r.digits(2, f.day) && r.literal("-") &&
                  (f.month = r.name(month_names) + 1) > 0 && r.literal("-") && r.digits(2, yy) &&
                  r.literal(" ") && time_of_day(r, f) && r.literal(" GMT");
  if (!ok || !r.at_end()) return false;
  std::int64_t year = now_year - now_year % 100 + yy;
  if (year > now_year + 50) {
    year -= 100;
  } else if (year + 100 <= now_year + 50) {
    year += 100;
  }
  f.year = year;
  return true;
}

// "Sun Nov  6 08:49:37 1994"
bool asctime_date(reader& r, fields& f) noexcept {
  int year = 0;
  f.wday = r.name(day_names);
  bool ok =
      f.wday >= 0 && r.literal(" ") && (f.month = r.name(month_names) + 1) > 0 && r.literal(" ");
  if (ok && r.literal(" ")) {
    ok = r.digits(1, f.day);
  } else {
    ok = ok && r.digits(2, f.day);
  }
  ok = ok && r.literal(" ") && time_of_day(r, f) && r.literal(" ") && r.digits(4, year);
  f.year = year;
  return ok && r.at_end();
}

}  // namespace

void format_http_date(std::time_t t, std::span<char, http_date_length> out) noexcept {
  const std::int64_t clamped = std::clamp<std::int64_t>(t, min_time, max_time);
  std::int64_t days = clamped / 86400;
  std::int64_t secs = clamped % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const civil c = civil_from_days(days);
  char* p = out.data();
  const std::string_view wd = day_names[weekday(days)];
  const std::string_view mon = month_names[c.month - 1];
  std::copy(wd.begin(), wd.end(), p);
  p[3] = ',';
  p[4] = ' ';
  put2(p + 5, c.day);
  p[7] = ' ';
  std::copy(mon.begin(), mon.end(), p + 8);
  p[11] = ' ';
  put2(p + 12, static_cast<int>(c.year / 100));
  put2(p + 14, static_cast<int>(c.year % 100));
  p[16] = ' ';
  put2(p + 17, static_cast<int>(secs / 3600));
  p[19] = ':';
  put2(p + 20, static_cast<int>(secs / 60 % 60));
  p[22] = ':';
  put2(p + 23, static_cast<int>(secs % 60));
  std::copy_n(" GMT", 4, p + 25);
}

std::string format_http_date(std::time_t t) {
  std::string s(http_date_length, '\0');
  format_http_date(t, std::span<char, http_date_length>(s.data(), http_date_length));
  return s;
}

std::optional<std::time_t> parse_http_date(std::string_view text, std::time_t now) noexcept {
  fields f;
  // The fourth byte tells the formats apart: ',' IMF-fixdate, ' ' asctime,
  // a letter RFC 850 (the long day names are at least six letters).
  if (text.size() < 4) return std::nullopt;
  reader r(text);
  bool ok = false;
  if (text[3] == ',') {
    ok = imf_fixdate(r, f);
  } else if (text[3] == ' ') {
    ok = asctime_date(r, f);
  } else {
    std::int64_t now_days = static_cast<std::int64_t>(now) / 86400;
    if (static_cast<std::int64_t>(now) % 86400 < 0) --now_days;
    ok = rfc850_date(r, f, civil_from_days(now_days).year);
  }
  if (!ok) return std::nullopt;
  return to_time(f);
}

std::optional<std::time_t> parse_http_date(std::string_view text) noexcept {
  return parse_http_date(text, std::time(nullptr));
}

std::string_view http_date_now() noexcept {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[http_date_length];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    format_http_date(now, cached);
    cached_second = now;
  }
  return {cached, http_date_length};
}

}  // namespace lwspp::http
