// ALPN (RFC 7301) lists: checked and turned into the wire form once per
// context, and the server's choice among what a client offers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lwspp/result.hpp"

namespace lwspp::tls {

// "h2", "http/1.1" -> "\x02h2\x08http/1.1". Each name is 1..255 bytes; an
// empty list gives an empty string.
result<std::string> alpn_wire(const std::vector<std::string>& protocols);

// The first of `ours` (wire form, in our order of preference) that the
// client's wire list `offered` contains; empty when none. A malformed
// `offered` offers nothing.
std::string_view alpn_choose(std::string_view ours, std::string_view offered) noexcept;

}  // namespace lwspp::tls
