// The values of the fields that decide framing and connection semantics,
// read the same way by the request and the response parser: list elements
// (RFC 9110 §5.6.1), Content-Length (RFC 9110 §8.6) and the Connection
// options (RFC 9110 §7.6.1, RFC 9112 §9.3). Inline: they run once per head,
// inside each parser's own pass over the fields.
#pragma once
#include <cstdint>
#include <limits>
#include <string_view>

#include "h1/syntax.hpp"

namespace lwspp::h1::detail {

// The elements of a comma-separated list, OWS removed. Empty elements are
// returned too ("a,,b", "a,"); callers skip or reject them.
class list_reader {
 public:
  explicit list_reader(std::string_view v) noexcept : rest_(v) {}
  bool next(std::string_view& el) noexcept {
    if (done_) return false;
    const std::size_t comma = rest_.find(',');
    el = trim_ows(rest_.substr(0, comma));
    if (comma == std::string_view::npos) {
      done_ = true;
    } else {
      rest_.remove_prefix(comma + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

// One Content-Length element: 1*DIGIT, no sign, no inner whitespace, at
// most 2^64-1. Sets `bad` to the reason otherwise.
inline std::uint64_t parse_length(std::string_view s, const char*& bad) noexcept {
  if (s.empty()) bad = "invalid Content-Length";
  std::uint64_t n = 0;
  for (char c : s) {
    if (!is_digit(c)) {
      bad = "invalid Content-Length";
      return 0;
    }
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      bad = "Content-Length too large";
      return 0;
    }
    n = n * 10 + d;
  }
  return n;
}

// A Content-Length field, alone or one of several, as one value or a list:
// every element must be valid and all of them equal. Returns nullptr, or
// the reason with `at` the element at fault.
inline const char* add_content_length(std::string_view v, bool& has, std::uint64_t& length,
                                      std::string_view& at) noexcept {
  std::string_view el;
  for (list_reader list(v); list.next(el);) {
    const char* bad = nullptr;
    const std::uint64_t n = parse_length(el, bad);
    if (bad == nullptr && has && n != length) bad = "conflicting Content-Length values";
    if (bad != nullptr) {
      at = el;
      return bad;
    }
    has = true;
    length = n;
  }
  return nullptr;
}

// The Connection options the parsers act on.
struct connection_tokens {
  bool close = false;
  bool keep_alive = false;
  bool upgrade = false;

  // Returns nullptr, or the reason with `at` the element at fault.
  const char* add(std::string_view v, std::string_view& at) noexcept {
    std::string_view el;
    for (list_reader list(v); list.next(el);) {
      if (!all_of(el, cc_token)) {
        at = el;
        return "invalid Connection";
      }
      close |= iequals(el, "close");
      keep_alive |= iequals(el, "keep-alive");
      upgrade |= iequals(el, "upgrade");
    }
    return nullptr;
  }

  // Whether the connection stays open after the message (RFC 9112 §9.3):
  // 1.1 unless "close"; 1.0 only with "keep-alive" and without "close".
  bool persistent(bool http11) const noexcept { return http11 ? !close : keep_alive && !close; }
};

}  // namespace lwspp::h1::detail
