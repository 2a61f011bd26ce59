// A Set-Cookie field value parsed as RFC 6265 §5.2 says a user agent parses
// it: name=value, then attributes, each unknown or malformed attribute
// ignored, the last of each kind winning.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lwspp::http::detail {

// A cookie of more than this many bytes of name plus value is ignored
// (RFC 6265 §6.1 asks for at least 4096; browsers stop there too).
inline constexpr std::size_t max_cookie_size = 4096;

// Same-Site is parsed so that it is not mistaken for anything else; a
// client that is not a browser has no "site" to compare with, so the jar
// does not use it.
enum class same_site { unset, strict, lax, none };

struct set_cookie {
  std::string name;
  std::string value;
  // Max-Age or Expires as an absolute time (Max-Age wins when both are
  // given); nullopt: a session cookie. Max-Age <= 0 gives time_point::min().
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string domain;  // lower case, leading '.' removed; empty: not given
  std::string path;    // empty: not given or not starting with '/' (use the default-path)
  bool secure = false;
  bool http_only = false;
  enum same_site same_site = same_site::unset;
};

// nullopt when the cookie must be ignored (§5.2 and RFC 6265bis §5.6): no
// '=' in the name-value pair, an empty name, a control character (other than
// HTAB) anywhere, or a name plus value over max_cookie_size.
std::optional<set_cookie> parse_set_cookie(std::string_view field_value,
                                           std::chrono::system_clock::time_point now);

}  // namespace lwspp::http::detail
