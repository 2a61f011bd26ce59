// Character classes of the HTTP/1.1 grammar (RFC 9110 §5.6, RFC 9112), as one
// 256-entry table shared by the request parser's files.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/ascii.hpp"

namespace lwspp::h1::detail {

enum char_class : std::uint8_t {
  cc_token = 1 << 0,           // tchar: field names, methods, coding and extension names
  cc_value = 1 << 1,           // field-vchar, SP and HTAB: field values, quoted-pair
  cc_target = 1 << 2,          // VCHAR: request-target (non-ASCII is rejected)
  cc_host = 1 << 3,            // uri-host and port: unreserved, sub-delims, '%', ':', '[', ']'
  cc_qdtext = 1 << 4,          // qdtext of a quoted-string
  cc_target_no_hash = 1 << 5,  // cc_target but '#': the request-target scan stops at a fragment
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  auto add = [&t](std::string_view chars, std::uint8_t cls) {
    for (char c : chars)
      t[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = '0'; c <= '9'; ++c)
    t[c] |= cc_token | cc_host;
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] |= cc_token | cc_host;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] |= cc_token | cc_host;
  add("!#$%&'*+-.^_`|~", cc_token);
  add("-._~!$&'()*+,;=%:[]", cc_host);
  for (int c = 0x21; c <= 0x7e; ++c)
    t[c] |= cc_value | cc_target | cc_target_no_hash | cc_qdtext;
  t['#'] &= static_cast<std::uint8_t>(~cc_target_no_hash);
  for (int c = 0x80; c <= 0xff; ++c)
    t[c] |= cc_value | cc_qdtext;
  t[' '] |= cc_value | cc_qdtext;
  t['\t'] |= cc_value | cc_qdtext;
  t['"'] &= static_cast<std::uint8_t>(~cc_qdtext);
  t['\\'] &= static_cast<std::uint8_t>(~cc_qdtext);
  return t;
}

inline constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

constexpr bool is(char c, std::uint8_t cls) noexcept {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

// One case-folding and comparison for every codec (util/ascii.hpp).
using util::iequals;
using util::to_lower;

constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

constexpr bool all_of(std::string_view s, std::uint8_t cls) noexcept {
  for (char c : s) {
    if (!is(c, cls)) return false;
  }
  return true;
}

// HTTP-version (RFC 9112 §2.3): "HTTP/" DIGIT "." DIGIT, of which we speak
// 1.0 and 1.1 (minor set to 0 or 1).
enum class version_check : std::uint8_t { ok, malformed, unsupported };
constexpr version_check check_version(std::string_view v, std::uint8_t& minor) noexcept {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' ||
      !is_digit(v[7]))
    return version_check::malformed;
  // A later 1.x is read as 1.1, the highest minor version we implement
  // (RFC 9110 §2.5); another major version is not ours to read.
  if (v[5] != '1') return version_check::unsupported;
  minor = v[7] == '0' ? 0 : 1;
  return version_check::ok;
}

}  // namespace lwspp::h1::detail
