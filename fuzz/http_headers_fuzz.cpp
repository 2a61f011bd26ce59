// libFuzzer target for the static file server's parsers (src/http/): request
// path normalisation, Range, HTTP dates, Accept-Encoding, entity-tag lists and
// If-Range. The first byte picks the parser (byte % 6: '0'..'5' in the seed
// corpus), the rest is the field value.
//
// Invariants:
//  0 normalize_path: the output starts with '/', has no "//", "/./", "/../",
//    no trailing "/." or "/..", no NUL or control byte, is no longer than the
//    input, and is a fixed point: normalising it again (with '%' escaped as
//    "%25", since the output is decoded) gives it back.
//  1 parse_range: for several sizes, 206 ranges are non-empty, inside the
//    file, at most range_set::capacity, pairwise disjoint and not touching.
//  2 parse_http_date: parse -> format -> parse gives the same time, and the
//    formatted text is a 29-byte IMF-fixdate that formats back to itself.
//  3 choose_content_coding: picks only what is available; with everything
//    available the answer is the same as when asked again.
//  4 etag_list_matches: a weak match whenever there is a strong one; a made
//    tag always matches a list made of it.
//  5 if_range_matches and evaluate_preconditions never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

#include "http/accept_encoding.hpp"
#include "http/etag.hpp"
#include "http/http_date.hpp"
#include "http/path.hpp"
#include "http/range.hpp"

namespace {

using namespace lwspp::http;

constexpr std::time_t fixed_now = 1750000000;  // 2025-06-15: deterministic RFC 850 years

void check_path(std::string_view raw) {
  std::string out;
  if (!normalize_path(raw, out)) return;
  if (out.empty() || out[0] != '/' || out.size() > raw.size()) std::abort();
  if (out.find("//") != std::string::npos || out.find("/./") != std::string::npos ||
      out.find("/../") != std::string::npos) {
    std::abort();
  }
  if (out.ends_with("/.") || out.ends_with("/..")) std::abort();
  for (char c : out) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) std::abort();
  }
  std::string escaped;
  for (char c : out) {
    if (c == '%') {
      escaped += "%25";
    } else {
      escaped += c;
    }
  }
  std::string again;
  if (!normalize_path(escaped, again) || again != out) std::abort();
}

void check_range(std::string_view field) {
  for (std::uint64_t size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{100},
                             std::uint64_t{10000}, std::uint64_t{1} << 62}) {
    const range_set r = parse_range(field, size);
    if (r.status() != range_status::partial) {
      if (!r.empty()) std::abort();
      continue;
    }
    if (r.empty() || r.size() > range_set::capacity) std::abort();
    for (const byte_range& a : r) {
      if (a.length == 0 || a.offset >= size || a.length > size - a.offset) std::abort();
      for (const byte_range& b : r) {
        if (&a == &b) continue;
        // Disjoint and not touching: one ends strictly before the other starts.
        if (!(a.offset + a.length < b.offset || b.offset + b.length < a.offset)) std::abort();
      }
    }
  }
}

void check_date(std::string_view text) {
  const auto t = parse_http_date(text, fixed_now);
  if (!t) return;
  const std::string s = format_http_date(*t);
  if (s.size() != http_date_length || !s.ends_with(" GMT")) std::abort();
  const auto again = parse_http_date(s, fixed_now);
  if (!again || *again != *t) std::abort();
  if (format_http_date(*again) != s) std::abort();
}

void check_coding(std::string_view field) {
  const available_codings gzip_only{.gzip = true};
  const auto c = choose_content_coding(field, gzip_only);
  if (c && *c == content_coding::br) std::abort();
  const available_codings all{.br = true, .gzip = true};
  if (choose_content_coding(field, all) != choose_content_coding(field, all)) std::abort();
  if (c) (void)to_string(*c);
}

void check_etags(std::string_view field) {
  const etag made = make_etag(field.size(), static_cast<std::int64_t>(field.size()) * 7, 3);
  for (std::string_view tag :
       {made.view(), std::string_view("\"x\""), std::string_view("W/\"x\"")}) {
    const bool strong = etag_list_matches(field, tag, etag_compare::strong);
    const bool weak = etag_list_matches(field, tag, etag_compare::weak);
    if (strong && !weak) std::abort();
  }
  const std::string list = std::string(made.view()) + ", " + std::string(made.view());
  if (!etag_list_matches(list, made.view(), etag_compare::strong)) std::abort();
}

void check_conditions(std::string_view text) {
  const etag tag = make_etag(100, 784111777000000000, 5);
  (void)if_range_matches(text, tag.view(), 784111777, fixed_now);
  const validators v{.etag = tag.view(), .last_modified = 784111777};
  (void)evaluate_preconditions({.if_match = text}, v);
  (void)evaluate_preconditions({.if_none_match = text, .if_modified_since = text}, v);
  (void)evaluate_preconditions({.if_modified_since = text, .if_unmodified_since = text}, v);
  (void)evaluate_preconditions({.if_none_match = text, .get_or_head = false}, v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      check_path(text);
      break;
    case 1:
      check_range(text);
      break;
    case 2:
      check_date(text);
      break;
    case 3:
      check_coding(text);
      break;
    case 4:
      check_etags(text);
      break;
    default:
      check_conditions(text);
      break;
  }
  return 0;
}
