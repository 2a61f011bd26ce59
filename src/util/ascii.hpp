// ASCII helpers the HTTP grammar needs everywhere (RFC 9110 §5.6): case
// folding, token characters, hex digits, and percent-encoding of paths.
// One copy for every codec and the message model.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace lwspp::util {

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// ASCII case-insensitive equality (header names, tokens, scheme names).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// tchar of RFC 9110 §5.6.2: what tokens (field names, methods, codings) are made of.
constexpr bool is_tchar(char ch) noexcept {
  const unsigned char c = static_cast<unsigned char>(ch);
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// A token (RFC 9110 §5.6.2): one or more tchars.
constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

// Whether a field value may be sent as it is: no CR, LF, NUL or other
// control but HTAB (RFC 9110 §5.5).
constexpr bool is_field_value(std::string_view s) noexcept {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// The value of a hex digit, or -1.
constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends a decoded path percent-encoded for a URL (a Location header, a
// listing link): everything but unreserved characters (RFC 3986 §2.3) and '/'.
inline void append_percent_encoded_path(std::string& out, std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

}  // namespace lwspp::util
