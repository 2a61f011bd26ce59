// HTTP/2 field rules. See fields.hpp.
#include "h2/fields.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "util/ascii.hpp"

namespace lwspp::h2 {

namespace {

bool is(std::string_view n, std::string_view known) noexcept {
  // Called only where the lengths agree: a fixed-size compare.
  return std::memcmp(n.data(), known.data(), known.size()) == 0;
}

// Per byte: 1 a lower-case token character (a name may hold it), 2 NUL, CR
// or LF (a value may not).
constexpr std::array<std::uint8_t, 256> char_class = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (util::is_tchar(static_cast<char>(c)) && !(c >= 'A' && c <= 'Z')) t[c] = 1;
    if (c == '\0' || c == '\r' || c == '\n') t[c] = 2;
  }
  return t;
}();

}  // namespace

field_kind classify_field(std::string_view n) noexcept {
  switch (n.size()) {
    case 2:
      return is(n, "te") ? field_kind::te : field_kind::other;
    case 4:
      return is(n, "host") ? field_kind::host : field_kind::other;
    case 6:
      return is(n, "cookie") ? field_kind::cookie : field_kind::other;
    case 7:
      return is(n, "upgrade") ? field_kind::connection_specific : field_kind::other;
    case 8:
      return is(n, "priority") ? field_kind::priority : field_kind::other;
    case 10:
      return is(n, "connection") || is(n, "keep-alive") ? field_kind::connection_specific
                                                        : field_kind::other;
    case 14:
      return is(n, "content-length") ? field_kind::content_length : field_kind::other;
    case 16:
      return is(n, "proxy-connection") ? field_kind::connection_specific : field_kind::other;
    case 17:
      return is(n, "transfer-encoding") ? field_kind::connection_specific : field_kind::other;
    default:
      return field_kind::other;
  }
}

bool valid_field_name(std::string_view n) noexcept {
  unsigned ok = 1;
  for (const char c : n)
    ok &= char_class[static_cast<unsigned char>(c)];
  return ok == 1 && !n.empty();
}

bool valid_field_value(std::string_view v) noexcept {
  unsigned bad = 0;
  for (const char c : v)
    bad |= char_class[static_cast<unsigned char>(c)];
  if (bad & 2) return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t'))
    return false;
  return true;
}

std::optional<std::uint64_t> parse_content_length(std::string_view v) noexcept {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n > std::uint64_t{INT64_MAX})
    return std::nullopt;
  return n;
}

void add_field_lines(std::string_view lines, std::string& names,
                     std::vector<hpack::header_field>& out) {
  while (!lines.empty()) {
    const std::size_t eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol == std::string_view::npos ? lines.size() : eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    const std::size_t at = names.size();
    names.resize(at + colon);  // reserved by the caller: no reallocation
    char* lower = names.data() + at;
    for (std::size_t i = 0; i < colon; ++i)
      lower[i] = util::to_lower(line[i]);
    const std::string_view name(lower, colon);
    const field_kind kind = classify_field(name);
    if (kind == field_kind::connection_specific || (kind == field_kind::te && value != "trailers"))
      continue;
    out.push_back({name, value});
  }
}

}  // namespace lwspp::h2
