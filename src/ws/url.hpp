// WebSocket URLs (RFC 6455 §3): ws://host[:port][/path][?query] and
// wss://..., as a client connects to them; and the Location of a redirect
// resolved against the URL that was asked for (RFC 9110 §10.2.2, RFC 3986
// §5.2: absolute, network-path, absolute-path or relative). Sans-I/O.
//
// Refused, with a reason: another scheme (http and https only as a
// redirect's Location, mapped to ws and wss), userinfo, a fragment (§3: "MUST
// NOT be used"), an empty host, a host or path with characters a URL cannot
// hold (spaces, controls, non-ASCII), a port that is not 1-65535, an IPv6
// literal that is not one.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/result.hpp"

namespace lwspp::ws {

struct url {
  bool secure = false;     // wss
  std::string host;        // without brackets for an IPv6 literal
  bool ipv6 = false;       // host is an IPv6 literal
  std::uint16_t port = 0;  // the default (80, 443) when the URL has none
  std::string resource;    // path and query, at least "/"

  // "host:port" or "[v6]:port": a target for context::connect.
  std::string target() const;
  // The Host field: host, and the port when it is not the scheme's default.
  std::string authority() const;
  // The URL again, normalised: "wss://example.com/chat?x=1".
  std::string to_string() const;
};

// lwspp::ws::client_error::bad_url with the reason and the URL when it is bad.
result<url> parse_url(std::string_view text);

// A redirect's Location against the URL that was asked for.
result<url> resolve_location(const url& base, std::string_view location);

}  // namespace lwspp::ws
