// Field lines (RFC 9112 §5): the one strict parser of a header or trailer
// section, shared by the request parser and the response parser. Refused:
// obs-fold and whitespace before a field, a field name that is not a
// token, whitespace before the colon, a bare CR anywhere, a bare LF unless
// allowed, and a control character in a value.
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

#include "http/known_headers.hpp"

namespace lwspp::h1 {

struct header_field {
  std::string_view name;   // as received (case kept)
  std::string_view value;  // leading/trailing whitespace removed
  http::header_id id = http::header_id::other;
};

// Why a section was refused: a fixed reason, the offset in the section, and
// the status a server answers (400, or 431 for too many fields).
struct field_problem {
  const char* reason = nullptr;  // nullptr: no problem
  std::size_t pos = 0;
  int status = 400;
};

// Parses the field lines of `section` from `pos` up to the empty line that
// ends it; `section` must end with that empty line's LF (the section scan
// guarantees it). Appends to `out`, at most max_fields in all.
field_problem parse_field_lines(std::string_view section, std::size_t pos, std::size_t max_fields,
                                bool allow_bare_lf, std::vector<header_field>& out);

}  // namespace lwspp::h1
