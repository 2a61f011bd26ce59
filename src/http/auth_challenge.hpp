// WWW-Authenticate and Proxy-Authenticate (RFC 9110 §11.6.1, §11.7.1): the
// challenges a 401 or 407 carries, and the one a client answers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lwspp/result.hpp"

namespace lwspp::http {

struct auth_param {
  std::string name;   // as received; compare case-insensitively
  std::string value;  // a quoted-string's content, unescaped
};

struct auth_challenge {
  std::string scheme;   // as received ("Digest", "basic"); compare case-insensitively
  std::string token68;  // "Negotiate abc==" style; empty when params are used
  std::vector<auth_param> params;

  // The first parameter of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> param(std::string_view name) const noexcept;
};

// Every challenge of a field value. Several fields of one response are
// parsed one by one, or joined with ", " first. The grammar is
//   #challenge,  challenge = scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
// and a comma separates both challenges and parameters: a token followed by
// '=' is a parameter, anything else starts the next challenge. Errors
// (lwspp::error::protocol_error) name what was expected and the offset.
result<std::vector<auth_challenge>> parse_challenges(std::string_view field_value);

// The challenge to answer: Digest SHA-512-256, then SHA-256, then MD5 (the
// -sess variants count as their hash), then Basic; a Digest challenge this
// client cannot answer (see digest_auth.hpp) is passed over. nullptr when
// none fits.
const auth_challenge* pick_challenge(std::span<const auth_challenge> challenges);

}  // namespace lwspp::http
