// WebSocket URLs and redirect targets over the common client URL parser
// (net/url.hpp). See url.hpp.
#include "ws/url.hpp"

#include "lwspp/ws_client.hpp"
#include "net/url.hpp"

namespace lwspp::ws {
namespace {

std::uint16_t ws_port(std::string_view scheme) {
  if (scheme == "ws") return 80;
  if (scheme == "wss") return 443;
  return 0;
}

// A redirect's Location may also say http or https (mapped to ws and wss).
std::uint16_t location_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return ws_port(scheme);
}

error_info bad(std::string why) {
  return error_info(make_error_code(client_error::bad_url), std::move(why));
}

url from_net(net::url&& n) {
  url u;
  u.secure = n.scheme == "wss" || n.scheme == "https";
  u.host = std::move(n.host);
  u.ipv6 = n.ipv6;
  u.port = n.port;
  u.resource = std::move(n.resource);
  return u;
}

net::url to_net(const url& u) {
  net::url n;
  n.scheme = u.secure ? "wss" : "ws";
  n.host = u.host;
  n.ipv6 = u.ipv6;
  n.port = u.port;
  n.resource = u.resource;
  return n;
}

}  // namespace

result<url> parse_url(std::string_view text) {
  net::url n;
  std::string why;
  if (!net::parse_url(text, ws_port, {}, n, why)) {
    if (why.starts_with("not an absolute URL"))
      why = net::describe_bad_url("not a ws:// or wss:// URL", text);
    else if (why.starts_with("unsupported scheme"))
      why = net::describe_bad_url("the scheme must be ws or wss", text);
    return bad(std::move(why));
  }
  return from_net(std::move(n));
}

result<url> resolve_location(const url& base, std::string_view location) {
  net::url n;
  std::string why;
  if (!net::resolve_reference(to_net(base), location, location_port, {}, n, why)) {
    if (why.starts_with("unsupported scheme"))
      why = net::describe_bad_url("a redirect to another scheme", location);
    return bad(std::move(why));
  }
  return from_net(std::move(n));
}

std::string url::target() const {
  return to_net(*this).target();
}

std::string url::authority() const {
  return to_net(*this).authority(secure ? 443 : 80);
}

std::string url::to_string() const {
  return (secure ? "wss://" : "ws://") + authority() + resource;
}

}  // namespace lwspp::ws
