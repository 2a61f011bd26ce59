// Client proxies: HTTP CONNECT (RFC 9110 §9.3.6) and SOCKS5 (RFC 1928,
// RFC 1929), proxy URLs, and the environment's rules (https_proxy,
// http_proxy, all_proxy, no_proxy). Details: docs/proxy.md.
//
//   auto p = lwspp::proxy_for(true, "example.com", 443);   // from the environment
//   lwspp::connect_options o{.tls = lwspp::tls_client_options{}};
//   std::string target = "example.com:443";
//   if (p && *p) target = *lwspp::route_via(o, **p, "example.com", 443);
//   ctx.connect(target, roles, o);
//
// A proxy failure is the connection's close_reason, with a proxy_error code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "lwspp/result.hpp"

namespace lwspp {

struct connect_options;  // <lwspp/context.hpp>

enum class proxy_kind : std::uint8_t {
  http,    // HTTP CONNECT tunnel (or, for plain http://, absolute-form requests)
  socks5,  // SOCKS5; the proxy resolves host names (socks5:// and socks5h:// alike)
};

struct proxy {
  proxy_kind kind = proxy_kind::http;
  std::string host = {};  // name or IP literal (IPv6 without brackets)
  std::uint16_t port = 1080;
  std::string user = {};      // empty: no credentials
  std::string password = {};  // percent-decoded

  bool has_credentials() const noexcept { return !user.empty() || !password.empty(); }
  // "host:port" ("[::1]:1080"): the target for context::connect.
  std::string address() const;
};

enum class proxy_error {
  // 0 is "no error" for std::error_code.
  invalid_url = 1,     // parse_proxy_url: not a proxy URL (the detail says where)
  unsupported_scheme,  // a scheme other than http, socks5, socks5h (https:// proxies: not yet)
  invalid_request,     // the destination or the credentials cannot be sent (a SOCKS5
                       // name or credential over 255 bytes, a control character)
  bad_reply,           // the proxy's reply breaks its protocol (the detail says how)
  closed,              // the proxy closed the connection before the tunnel was up
  auth_required,       // HTTP 407: the proxy wants credentials, or other ones
  auth_failed,         // SOCKS5: the proxy refused the username and password
  no_acceptable_auth,  // SOCKS5: the proxy accepts none of the methods offered
  refused,             // HTTP CONNECT answered with another status (protocol_code: it)
  socks_failure,       // SOCKS5 reply other than success (protocol_code: the reply code)
};

}  // namespace lwspp

template <>
struct std::is_error_code_enum<lwspp::proxy_error> : std::true_type {};

namespace lwspp {

const std::error_category& proxy_error_category() noexcept;

inline std::error_code make_error_code(proxy_error e) noexcept {
  return {static_cast<int>(e), proxy_error_category()};
}

// "http://user:pw@host:3128", "socks5://host", "socks5h://[::1]:1080",
// "host:3128" (no scheme: http, as curl). Credentials are percent-decoded;
// the port defaults to 1080 for every kind (curl's default); a trailing "/"
// is allowed, any other path, query or fragment is not.
result<proxy> parse_proxy_url(std::string_view url);

// The proxy variables of an environment (empty: unset).
struct proxy_environment {
  std::string https_proxy = {};
  std::string http_proxy = {};
  std::string all_proxy = {};
  std::string no_proxy = {};
  // From the process: each lowercase name first, then the uppercase one
  // (curl's order), except that HTTP_PROXY is ignored when REQUEST_METHOD
  // is set: in a CGI program it comes from the request's "Proxy:" header.
  static proxy_environment from_process();
};

// Whether no_proxy (a comma list: "*", "example.com" — that domain and its
// subdomains, with or without a leading dot —, "host:port", IP literals and
// CIDR blocks such as "10.0.0.0/8" or "::1/128") exempts host:port. Names
// are compared without case and without a trailing dot; nothing is resolved.
// localhost is not exempt unless listed.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// The proxy for a connection to host:port: https_proxy (https) or
// http_proxy (plain), else all_proxy; none when no_proxy exempts it or
// nothing is set. An error when the variable that applies is malformed.
result<std::optional<proxy>> proxy_for(const proxy_environment& env, bool https,
                                       std::string_view host, std::uint16_t port);
// The same with proxy_environment::from_process().
result<std::optional<proxy>> proxy_for(bool https, std::string_view host, std::uint16_t port);

// Routes a connection to host:port through p: sets opts.make_tunnel (HTTP
// CONNECT or SOCKS5) and returns the target to give context::connect (the
// proxy's address). TLS in opts then runs inside the tunnel and verifies
// host. An error when host or the credentials cannot be sent to that proxy.
result<std::string> route_via(connect_options& opts, const proxy& p, std::string_view host,
                              std::uint16_t port);

}  // namespace lwspp
