// Client URLs (RFC 3986) as the HTTP and WebSocket clients take them:
// scheme://[user[:password]@]host[:port][/path][?query][#fragment], and a
// redirect's Location resolved against the URL that was asked for (RFC 9110
// §10.2.2, RFC 3986 §5.2: absolute, network-path, absolute-path or
// relative). Sans-I/O; each client wraps it with its own schemes and error
// code (ws/url.hpp, http/client_url.hpp).
//
// Refused, with a reason: no "scheme://", an empty host, a host or path
// with characters a URL cannot hold (spaces, controls, non-ASCII), a port
// that is not 1-65535, an IPv6 literal that is not one, and — unless the
// rules allow them — userinfo and fragments.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lwspp::net {

struct url {
  std::string scheme;    // lower-cased
  std::string user;      // userinfo, percent-decoded (rules.userinfo)
  std::string password;  //
  bool has_userinfo = false;
  std::string host;        // without brackets for an IPv6 literal
  bool ipv6 = false;       // host is an IPv6 literal
  std::uint16_t port = 0;  // the scheme's default when the URL has none
  std::string resource;    // path and query, at least "/"; never a fragment

  // "host:port" or "[v6]:port": a target for context::connect.
  std::string target() const;
  // The Host field: host, and the port unless it is `default_port`.
  std::string authority(std::uint16_t default_port) const;
};

struct url_rules {
  bool userinfo = false;       // accept user:password@ (else an error)
  bool drop_fragment = false;  // accept and drop #fragment (else an error)
};

// The scheme's default port, 0 when the caller does not know the scheme.
using default_port_fn = std::uint16_t (*)(std::string_view scheme);

// Parses `text`. On failure returns false and `why` says what is wrong.
bool parse_url(std::string_view text, default_port_fn ports, url_rules rules, url& out,
               std::string& why);

// Resolves a Location against `base` (whose scheme it keeps when it has
// none). Same result convention as parse_url.
bool resolve_reference(const url& base, std::string_view location, default_port_fn ports,
                       url_rules rules, url& out, std::string& why);

// "reason: \"text\"" with what a log line cannot hold escaped as \xNN.
std::string describe_bad_url(std::string_view why, std::string_view text);

}  // namespace lwspp::net
