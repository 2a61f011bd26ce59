// The cookie date algorithm of RFC 6265 §5.1.1: the tolerant parser that
// browsers apply to a Set-Cookie's Expires attribute (any of the HTTP date
// formats, and the many near-misses servers send).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace lwspp::http::detail {

// The time `text` names, in UTC, or nullopt when §5.1.1 fails it (no time,
// day, month or year token found; day outside 1..31 or not in that month;
// year before 1601; hour > 23, minute > 59, second > 59). Two-digit years:
// 70..99 are 19xx, 00..69 are 20xx.
std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text) noexcept;

}  // namespace lwspp::http::detail
