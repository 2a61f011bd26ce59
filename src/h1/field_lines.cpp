// Field lines (RFC 9112 §5), shared by the request and response parsers.
// Every byte of the section is checked once, here; the section scan before
// only found where it ends.
#include "h1/field_lines.hpp"

#include "h1/syntax.hpp"

namespace lwspp::h1 {

using detail::cc_token;
using detail::cc_value;
using detail::is;
using detail::is_ows;

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
