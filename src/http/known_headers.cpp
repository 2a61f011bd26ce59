// Interned method and header names: lookup_method (case-sensitive, by length),
// lookup_header (case-insensitive: an index by length built at compile time,
// then a compare a word at a time) and header_name.
#include "http/known_headers.hpp"
#include "util/ascii.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// Names are compared a machine word at a time. A name of n bytes is read as
// 8-byte words at 0, 8, ... and a last one ending at n (overlapping the one
// before), or for n from 4 to 7 as 4-byte words at 0 and n - 4; shorter
// names byte by byte. An input word matches when (word | mask) equals the
// interned name's word, the mask having 0x20 at the interned name's letters
// only: a letter matches in either case and every other byte exactly, so
// "content\rlength" is not "content-length" ('\r' | 0x20 is '-').
static_assert(max_name <= 3 * 8, "folded_name holds three words");
struct folded_name {
  std::array<std::uint64_t, 3> word{};
  std::array<std::uint64_t, 3> mask{};
};

constexpr std::uint64_t load_const(std::string_view s, std::size_t at, std::size_t len,
                                   bool letters_only) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const char c = s[at + i];
    std::uint64_t b = static_cast<unsigned char>(c);
    if (letters_only) b = (c >= 'a' && c <= 'z') ? 0x20 : 0;
    const std::size_t shift = std::endian::native == std::endian::little ? i : len - 1 - i;
    v |= b << (8 * shift);
  }
  return v;
}

constexpr std::array<folded_name, header_count> make_folded() {
  std::array<folded_name, header_count> out{};
  for (std::size_t id = 1; id < header_count; ++id) {
    const std::string_view s = names[id];
    const std::size_t n = s.size();
    folded_name& f = out[id];
    if (n >= 8) {
      for (std::size_t k = 0; k * 8 < n; ++k) {
        const std::size_t at = std::min(k * 8, n - 8);
        f.word[k] = load_const(s, at, 8, false);
        f.mask[k] = load_const(s, at, 8, true);
      }
    } else if (n >= 4) {
      f.word[0] = load_const(s, 0, 4, false);
      f.mask[0] = load_const(s, 0, 4, true);
      f.word[1] = load_const(s, n - 4, 4, false);
      f.mask[1] = load_const(s, n - 4, 4, true);
    }
  }
  return out;
}

constexpr std::array<folded_name, header_count> folded = make_folded();

std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint32_t load4(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

bool same_name(std::string_view name, header_id id) noexcept {
  const std::size_t n = name.size();
  const folded_name& f = folded[static_cast<std::size_t>(id)];
  const char* p = name.data();
  if (n >= 8) {
    for (std::size_t k = 0; k * 8 < n; ++k) {
      const std::size_t at = std::min(k * 8, n - 8);
      if ((load8(p + at) | f.mask[k]) != f.word[k]) return false;
    }
    return true;
  }
  if (n >= 4) {
    return (load4(p) | f.mask[0]) == f.word[0] && (load4(p + n - 4) | f.mask[1]) == f.word[1];
  }
  const std::string_view cand = names[static_cast<std::size_t>(id)];
  for (std::size_t i = 0; i < n; ++i) {
    if (util::to_lower(name[i]) != cand[i]) return false;
  }
  return true;
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
    if (same_name(name, by_length.ids[k])) return by_length.ids[k];
  }
  return header_id::other;
}

std::string_view header_name(header_id id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  return i < header_count ? names[i] : std::string_view();
}

}  // namespace lwspp::http
