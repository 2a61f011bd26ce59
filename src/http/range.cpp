// Range and If-Range.
#include "http/range.hpp"

#include <algorithm>
#include <limits>

#include "http/http_date.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {
namespace {

using util::iequals;

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// 1*DIGIT, the whole of `s`, saturating at 2^64 - 1.
bool parse_number(std::string_view s, std::uint64_t& out) noexcept {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (u64_max - d) / 10 ? u64_max : v * 10 + d;
  }
  out = v;
  return true;
}

// A range-spec as written: first-last (last may be absent) or a suffix.
struct spec {
  bool suffix = false;
  std::uint64_t first = 0;
  std::uint64_t last = u64_max;  // or the suffix length
};

bool parse_spec(std::string_view s, spec& out) noexcept {
  const std::size_t dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  if (dash == 0) {
    out.suffix = true;
    return parse_number(s.substr(1), out.last);
  }
  if (!parse_number(s.substr(0, dash), out.first)) return false;
  const std::string_view last = s.substr(dash + 1);
  if (last.empty()) return true;
  return parse_number(last, out.last) && out.last >= out.first;
}

// The bytes a satisfiable spec selects; length 0 when it is unsatisfiable.
byte_range resolve(const spec& s, std::uint64_t size) noexcept {
  if (s.suffix) {
    const std::uint64_t n = std::min(s.last, size);
    return {size - n, n};
  }
  if (s.first >= size) return {};
  return {s.first, std::min(s.last, size - 1) - s.first + 1};
}

// Sorts and merges when any two ranges overlap or touch; returns the new count.
std::size_t coalesce(byte_range* r, std::size_t n) noexcept {
  byte_range sorted[range_set::capacity];
  std::copy(r, r + n, sorted);
  std::sort(sorted, sorted + n,
            [](const byte_range& a, const byte_range& b) { return a.offset < b.offset; });
  bool touching = false;
  for (std::size_t i = 1; i < n; ++i) {
    if (sorted[i].offset <= sorted[i - 1].offset + sorted[i - 1].length) touching = true;
  }
  if (!touching) return n;  // keep the requested order
  std::size_t out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out > 0 && sorted[i].offset <= r[out - 1].offset + r[out - 1].length) {
      const std::uint64_t end =
          std::max(r[out - 1].offset + r[out - 1].length, sorted[i].offset + sorted[i].length);
      r[out - 1].length = end - r[out - 1].offset;
    } else {
      r[out++] = sorted[i];
    }
  }
  return out;
}

}  // namespace

range_set parse_range(std::string_view field, std::uint64_t size, std::size_t max_ranges) noexcept {
  range_set result;  // status ignore
  max_ranges = std::min(max_ranges, range_set::capacity);
  field = trim(field);
  const std::size_t eq = field.find('=');
  if (eq == std::string_view::npos || !iequals(field.substr(0, eq), "bytes")) return result;
  std::string_view list = field.substr(eq + 1);
  if (!list.empty() && is_ows(list.front())) return result;  // no blanks after '='

  spec specs[range_set::capacity];
  std::size_t n = 0;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view element =
        trim(comma == std::string_view::npos ? list : list.substr(0, comma));
    if (!element.empty()) {
      if (n == max_ranges) return result;  // too many: serve the whole file
      if (!parse_spec(element, specs[n])) return result;
      ++n;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (n == 0) return result;  // "bytes=" or "bytes=,": 1#range-spec needs one

  for (std::size_t i = 0; i < n; ++i) {
    if (size == 0 && specs[i].suffix && specs[i].last > 0) return result;  // see the header
    const byte_range r = resolve(specs[i], size);
    if (r.length > 0) result.ranges_[result.count_++] = r;
  }
  if (result.count_ == 0) {
    result.status_ = range_status::unsatisfiable;
    return result;
  }
  result.count_ = coalesce(result.ranges_.data(), result.count_);
  result.status_ = range_status::partial;
  return result;
}

bool if_range_matches(std::string_view if_range, std::string_view etag, std::time_t last_modified,
                      std::time_t now) noexcept {
  if_range = trim(if_range);
  if (if_range.starts_with("W/")) return false;  // weak tags never match strongly
  if (if_range.starts_with("\"")) {
    // One strong entity-tag; ours are valid, so byte equality is the strong comparison.
    return !etag.empty() && !etag.starts_with("W/") && if_range == etag;
  }
  const auto date = parse_http_date(if_range, now);
  return date && *date == last_modified && last_modified < now;
}

}  // namespace lwspp::http
