// Field rules HTTP/2 shares between requests and responses, server and
// client (RFC 9113 §8.2): which fields are connection-specific, what a
// valid name and value are, a content-length value, and HTTP/1.1-style
// field lines ("Name: value\r\n") turned into lower-case HPACK fields.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h2/hpack/header_list.hpp"

namespace lwspp::h2 {

// The fields a request head treats specially, told apart by one switch on
// the name's length (this runs for every field of every request).
enum class field_kind : std::uint8_t {
  other,
  te,
  host,
  cookie,
  content_length,
  priority,  // RFC 9218
  // §8.2.2: fields that only mean something to one HTTP/1.1 connection.
  connection_specific,
};
field_kind classify_field(std::string_view lower_name) noexcept;
inline bool connection_specific(std::string_view lower_name) noexcept {
  return classify_field(lower_name) == field_kind::connection_specific;
}
// §8.2.1: a name is a lower-case token.
bool valid_field_name(std::string_view n) noexcept;
// §8.2.1: a value holds no NUL, CR or LF and neither starts nor ends with
// whitespace.
bool valid_field_value(std::string_view v) noexcept;
// A content-length value: digits only, at most INT64_MAX; nullopt otherwise.
std::optional<std::uint64_t> parse_content_length(std::string_view v) noexcept;

// Adds each "name: value\r\n" line of `lines` to `out`, the name
// lower-cased into `names` (reserved by the caller so that views into it
// stay valid), connection-specific fields left out (and `te` unless its
// value is "trailers").
void add_field_lines(std::string_view lines, std::string& names,
                     std::vector<hpack::header_field>& out);

}  // namespace lwspp::h2
