// Interned method and header names: lookup_method (case-sensitive, by length),
// lookup_header (case-insensitive: an index by length built at compile time,
// then an ASCII-folding compare) and header_name.
#include "http/known_headers.hpp"

#include <array>
#include <cstddef>

namespace lwspp::http {
namespace {

constexpr std::size_t header_count = static_cast<std::size_t>(header_id::count_);

// Lower-case names, in header_id order ("" for other).
constexpr std::array<std::string_view, header_count> names = {
    "",
    "accept",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-length",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "keep-alive",
    "last-modified",
    "location",
    "origin",
    "proxy-connection",
    "range",
    "referer",
    "sec-websocket-extensions",
    "sec-websocket-key",
    "sec-websocket-protocol",
    "sec-websocket-version",
    "server",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "vary",
    "www-authenticate",
    "x-forwarded-for",
};
static_assert(names.back() == "x-forwarded-for", "names must follow header_id");

constexpr std::size_t max_name = 24;  // "sec-websocket-extensions"

// The interned ids grouped by name length: ids[begin[n] .. begin[n + 1]) have
// names of n bytes. Built by a counting sort at compile time.
struct length_index {
  std::array<std::uint8_t, max_name + 2> begin{};
  std::array<header_id, header_count - 1> ids{};
};

constexpr length_index make_index() {
  length_index x;
  for (std::size_t i = 1; i < header_count; ++i)
    ++x.begin[names[i].size() + 1];
  for (std::size_t n = 1; n < x.begin.size(); ++n)
    x.begin[n] += x.begin[n - 1];
  std::array<std::uint8_t, max_name + 2> fill = x.begin;
  for (std::size_t i = 1; i < header_count; ++i) {
    x.ids[fill[names[i].size()]++] = static_cast<header_id>(i);
  }
  return x;
}

constexpr length_index by_length = make_index();

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace

method_id lookup_method(std::string_view t) noexcept {
  switch (t.size()) {
    case 3:
      if (t == "GET") return method_id::get;
      if (t == "PUT") return method_id::put;
      break;
    case 4:
      if (t == "HEAD") return method_id::head;
      if (t == "POST") return method_id::post;
      break;
    case 5:
      if (t == "PATCH") return method_id::patch;
      if (t == "TRACE") return method_id::trace;
      break;
    case 6:
      if (t == "DELETE") return method_id::delete_;
      break;
    case 7:
      if (t == "OPTIONS") return method_id::options;
      if (t == "CONNECT") return method_id::connect;
      break;
    default:
      break;
  }
  return method_id::other;
}

header_id lookup_header(std::string_view name) noexcept {
  const std::size_t n = name.size();
  if (n == 0 || n > max_name) return header_id::other;
  for (std::size_t k = by_length.begin[n]; k < by_length.begin[n + 1]; ++k) {
    const header_id id = by_length.ids[k];
    const std::string_view cand = names[static_cast<std::size_t>(id)];
    // The last byte tells most names of one length apart; check it first.
    if (to_lower(name[n - 1]) != cand[n - 1]) continue;
    std::size_t i = 0;
    while (i < n && to_lower(name[i]) == cand[i])
      ++i;
    if (i == n) return id;
  }
  return header_id::other;
}

std::string_view header_name(header_id id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  return i < header_count ? names[i] : std::string_view();
}

}  // namespace lwspp::http
