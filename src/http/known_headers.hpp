// Interned names of the methods and header fields the library acts on, shared
// by the h1 codec, the message model and (later) HPACK. Lookup is
// case-insensitive; anything else is `other` and compared by name.
#pragma once
#include <cstdint>
#include <string_view>

#include "lwspp/http_method.hpp"

namespace lwspp::http {

using method_id = lwspp::http::method;

// Parses a method token (case-sensitive, RFC 9110 §9.1); `other` if unknown.
method_id lookup_method(std::string_view token) noexcept;

enum class header_id : std::uint8_t {
  other,
  accept,
  accept_encoding,
  accept_language,
  accept_ranges,
  authorization,
  cache_control,
  connection,
  content_encoding,
  content_length,
  content_range,
  content_type,
  cookie,
  date,
  etag,
  expect,
  host,
  if_match,
  if_modified_since,
  if_none_match,
  if_range,
  if_unmodified_since,
  keep_alive,
  last_modified,
  location,
  origin,
  proxy_connection,
  range,
  referer,
  sec_websocket_extensions,
  sec_websocket_key,
  sec_websocket_protocol,
  sec_websocket_version,
  server,
  set_cookie,
  te,
  trailer,
  transfer_encoding,
  upgrade,
  user_agent,
  vary,
  www_authenticate,
  x_forwarded_for,
  count_,
};

// Case-insensitive lookup of a field name; `other` if not interned.
header_id lookup_header(std::string_view name) noexcept;
// The lower-case name of an interned field ("" for other).
std::string_view header_name(header_id id) noexcept;

}  // namespace lwspp::http
