// Field lines (RFC 9112 §5), shared by the request and response parsers.
// Every byte of the section is checked once, here; the section scan before
// only found where it ends.
#include "h1/field_lines.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "h1/syntax.hpp"

namespace lwspp::h1 {

using detail::cc_token;
using detail::cc_value;
using detail::is;
using detail::is_ows;

namespace {

// Skips the bytes from `pos` that are field-vchar or SP, 8 at a time, and
// returns where the first other byte is (a control byte, which includes
// HTAB, CR and LF, or DEL) or where fewer than 8 bytes are left: the byte
// loop after it decides about that byte. Values are most of a head's bytes.
// In a word read little-endian, the lowest flagged byte of each test below
// is exact (a borrow only runs toward higher bytes), and that is the only
// one used; a big-endian machine takes the byte loop alone.
std::size_t skip_plain_value_bytes(std::string_view h, std::size_t pos) noexcept {
  if constexpr (std::endian::native != std::endian::little) return pos;
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  while (pos + 8 <= h.size()) {
    std::uint64_t x;
    std::memcpy(&x, h.data() + pos, sizeof x);
    const std::uint64_t below_space = (x - 0x20 * ones) & ~x & highs;
    const std::uint64_t d = x ^ (0x7f * ones);
    const std::uint64_t del = (d - ones) & ~d & highs;
    if (const std::uint64_t stop = below_space | del; stop != 0)
      return pos + static_cast<std::size_t>(std::countr_zero(stop)) / 8;
    pos += 8;
  }
  return pos;
}

}  // namespace

field_problem parse_field_lines(std::string_view h, std::size_t pos, std::size_t max_fields,
                                bool allow_bare_lf, std::vector<header_field>& out) {
  for (;;) {
    const std::size_t line = pos;
    if (h[pos] == '\r' && h[pos + 1] == '\n') return {};
    if (h[pos] == '\n') {
      if (allow_bare_lf) return {};
      return {"bare LF", pos, 400};
    }
    if (is_ows(h[pos])) {
      return {"obsolete line folding or whitespace before a field", pos, 400};
    }
    while (is(h[pos], cc_token))
      ++pos;
    if (pos == line || h[pos] != ':') {
      const char* why = is_ows(h[pos])   ? "whitespace before the colon"
                        : h[pos] == '\r' ? "bare CR"
                                         : "invalid character in a field name";
      return {pos == line && h[pos] == ':' ? "empty field name" : why, pos, 400};
    }
    if (out.size() >= max_fields) {
      return {"too many header fields", line, 431};
    }
    const std::string_view name(h.data() + line, pos - line);
    ++pos;
    while (is_ows(h[pos]))
      ++pos;
    const std::size_t v0 = pos;
    pos = skip_plain_value_bytes(h, pos);
    while (is(h[pos], cc_value))
      ++pos;
    std::size_t v1 = pos;
    while (v1 > v0 && is_ows(h[v1 - 1]))
      --v1;
    if (h[pos] == '\r' && h[pos + 1] == '\n') {
      pos += 2;
    } else if (h[pos] == '\n' && allow_bare_lf) {
      pos += 1;
    } else {
      const char* why = h[pos] == '\r'   ? "bare CR"
                        : h[pos] == '\n' ? "bare LF"
                                         : "invalid character in a field value";
      return {why, pos, 400};
    }
    out.push_back({name, std::string_view(h.data() + v0, v1 - v0), http::lookup_header(name)});
  }
}

}  // namespace lwspp::h1
