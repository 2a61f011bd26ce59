// WebSocket URLs and redirect targets. See url.hpp.
#include "ws/url.hpp"

#include "lwspp/address.hpp"
#include "lwspp/ws_client.hpp"
#include "util/ascii.hpp"

namespace lwspp::ws {
namespace {

error_info bad(std::string_view why, std::string_view text) {
  std::string d(why);
  d += ": \"";
  // The URL as given, with what a log line cannot hold escaped.
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      d += "\\x";
      d += hex[u >> 4];
      d += hex[u & 15];
    } else {
      d += c;
    }
  }
  d += '"';
  return error_info(make_error_code(client_error::bad_url), std::move(d));
}

constexpr bool is_alpha(char c) noexcept {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// reg-name of RFC 3986 §3.2.2: unreserved, pct-encoded, sub-delims.
bool host_char(char c) noexcept {
  if (is_alpha(c) || is_digit(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

// Path and query: visible ASCII but '#' (a fragment is refused on its own).
bool resource_char(char c) noexcept {
  return c > 0x20 && c < 0x7f && c != '#';
}

// The part of a URL after "scheme://": authority, then path and query.
result<url> parse_rest(bool secure, std::string_view rest, std::string_view text) {
  url u;
  u.secure = secure;
  u.port = secure ? 443 : 80;
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, end);
  std::string_view res = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (auth.find('@') != std::string_view::npos) return bad("userinfo is not allowed", text);
  std::string_view port;
  if (!auth.empty() && auth.front() == '[') {
    const std::size_t close = auth.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal", text);
    const std::string_view ip = auth.substr(1, close - 1);
    if (!address::from_ip(ip, 0) || ip.find(':') == std::string_view::npos)
      return bad("invalid IPv6 literal", text);
    u.host.assign(ip);
    u.ipv6 = true;
    const std::string_view after = auth.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("junk after the IPv6 literal", text);
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = auth.rfind(':');
    u.host.assign(auth.substr(0, colon));
    if (colon != std::string_view::npos) port = auth.substr(colon + 1);
    for (char c : u.host)
      if (!host_char(c)) return bad("invalid character in the host", text);
  }
  if (u.host.empty()) return bad("no host", text);
  if (!port.empty()) {
    unsigned long n = 0;
    for (char c : port) {
      if (!is_digit(c) || n > 65535) return bad("invalid port", text);
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 65535) return bad("invalid port", text);
    u.port = static_cast<std::uint16_t>(n);
  }
  if (res.find('#') != std::string_view::npos) return bad("a fragment is not allowed", text);
  for (char c : res)
    if (!resource_char(c)) return bad("invalid character in the path", text);
  u.resource = res.empty() || res.front() == '?' ? "/" + std::string(res) : std::string(res);
  return u;
}

// The scheme, lower-cased, and what follows "://"; empty scheme if none.
std::pair<std::string, std::string_view> split_scheme(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (is_alpha(text[i]) || (i > 0 && (is_digit(text[i]) || text[i] == '+' ||
                                                             text[i] == '-' || text[i] == '.'))))
    ++i;
  if (i == 0 || text.substr(i, 3) != "://") return {};
  std::string scheme;
  for (char c : text.substr(0, i))
    scheme += util::to_lower(c);
  return {std::move(scheme), text.substr(i + 3)};
}

}  // namespace

result<url> parse_url(std::string_view text) {
  auto [scheme, rest] = split_scheme(text);
  if (scheme.empty()) return bad("not a ws:// or wss:// URL", text);
  if (scheme != "ws" && scheme != "wss") return bad("the scheme must be ws or wss", text);
  return parse_rest(scheme == "wss", rest, text);
}

result<url> resolve_location(const url& base, std::string_view location) {
  auto [scheme, rest] = split_scheme(location);
  if (!scheme.empty()) {
    if (scheme == "ws" || scheme == "http") return parse_rest(false, rest, location);
    if (scheme == "wss" || scheme == "https") return parse_rest(true, rest, location);
    return bad("a redirect to another scheme", location);
  }
  if (location.starts_with("//")) return parse_rest(base.secure, location.substr(2), location);
  if (location.empty()) return bad("an empty Location", location);
  // A path: absolute, or relative to the base path's last '/'. Dot segments
  // are the server's to interpret.
  std::string path;
  if (location.front() == '/') {
    path.assign(location);
  } else {
    const std::string_view dir =
        std::string_view(base.resource).substr(0, std::string_view(base.resource).find('?'));
    path.assign(dir.substr(0, dir.rfind('/') + 1));
    path.append(location);
  }
  std::string rebuilt = (base.secure ? "wss://" : "ws://") + base.authority() + path;
  return parse_url(rebuilt);
}

std::string url::target() const {
  std::string t = ipv6 ? "[" + host + "]" : host;
  t += ':';
  t += std::to_string(port);
  return t;
}

std::string url::authority() const {
  std::string a = ipv6 ? "[" + host + "]" : host;
  if (port != (secure ? 443 : 80)) {
    a += ':';
    a += std::to_string(port);
  }
  return a;
}

std::string url::to_string() const {
  return (secure ? "wss://" : "ws://") + authority() + resource;
}

}  // namespace lwspp::ws
