// Client URLs and redirect targets. See url.hpp.
#include "net/url.hpp"

#include "lwspp/address.hpp"
#include "util/ascii.hpp"

namespace lwspp::net {
namespace {

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

// Path and query: visible ASCII but '#' (a fragment is cut off before).
bool resource_char(char c) noexcept {
  return c > 0x20 && c < 0x7f && c != '#';
}

// Percent-decodes userinfo; false on a broken escape.
bool decode_userinfo(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c <= 0x20 || c >= 0x7f) return false;
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = util::hex_digit(in[i + 1]), lo = util::hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool fail(std::string& why, std::string_view reason, std::string_view text) {
  why = describe_bad_url(reason, text);
  return false;
}

// The part of a URL after "scheme://": authority, then path and query.
bool parse_rest(std::string scheme, std::string_view rest, std::string_view text,
                default_port_fn ports, url_rules rules, url& u, std::string& why) {
  u = url{};
  u.port = ports(scheme);
  if (u.port == 0) return fail(why, "unsupported scheme", text);
  u.scheme = std::move(scheme);
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, end);
  std::string_view res = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (const std::size_t at = auth.rfind('@'); at != std::string_view::npos) {
    if (!rules.userinfo) return fail(why, "userinfo is not allowed", text);
    const std::string_view info = auth.substr(0, at);
    const std::size_t colon = info.find(':');
    if (!decode_userinfo(info.substr(0, colon), u.user) ||
        (colon != std::string_view::npos && !decode_userinfo(info.substr(colon + 1), u.password)))
      return fail(why, "invalid userinfo", text);
    u.has_userinfo = true;
    auth = auth.substr(at + 1);
  }
  std::string_view port;
  if (!auth.empty() && auth.front() == '[') {
    const std::size_t close = auth.find(']');
    if (close == std::string_view::npos) return fail(why, "unterminated IPv6 literal", text);
    const std::string_view ip = auth.substr(1, close - 1);
    if (!address::from_ip(ip, 0) || ip.find(':') == std::string_view::npos)
      return fail(why, "invalid IPv6 literal", text);
    u.host.assign(ip);
    u.ipv6 = true;
    const std::string_view after = auth.substr(close + 1);
    if (!after.empty() && after.front() != ':')
      return fail(why, "junk after the IPv6 literal", text);
    if (!after.empty()) port = after.substr(1);
  } else {
    const std::size_t colon = auth.rfind(':');
    u.host.assign(auth.substr(0, colon));
    if (colon != std::string_view::npos) port = auth.substr(colon + 1);
    for (char c : u.host)
      if (!host_char(c)) return fail(why, "invalid character in the host", text);
  }
  if (u.host.empty()) return fail(why, "no host", text);
  if (!port.empty()) {
    unsigned long n = 0;
    for (char c : port) {
      if (!is_digit(c) || n > 65535) return fail(why, "invalid port", text);
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0 || n > 65535) return fail(why, "invalid port", text);
    u.port = static_cast<std::uint16_t>(n);
  }
  if (const std::size_t hash = res.find('#'); hash != std::string_view::npos) {
    if (!rules.drop_fragment) return fail(why, "a fragment is not allowed", text);
    res = res.substr(0, hash);
  }
  for (char c : res)
    if (!resource_char(c)) return fail(why, "invalid character in the path", text);
  u.resource = res.empty() || res.front() == '?' ? "/" + std::string(res) : std::string(res);
  return true;
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

std::string describe_bad_url(std::string_view why, std::string_view text) {
  std::string d(why);
  d += ": \"";
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
  return d;
}

bool parse_url(std::string_view text, default_port_fn ports, url_rules rules, url& out,
               std::string& why) {
  auto [scheme, rest] = split_scheme(text);
  if (scheme.empty()) return fail(why, "not an absolute URL (scheme://host...)", text);
  return parse_rest(std::move(scheme), rest, text, ports, rules, out, why);
}

bool resolve_reference(const url& base, std::string_view location, default_port_fn ports,
                       url_rules rules, url& out, std::string& why) {
  auto [scheme, rest] = split_scheme(location);
  if (!scheme.empty()) return parse_rest(std::move(scheme), rest, location, ports, rules, out, why);
  if (location.starts_with("//"))
    return parse_rest(base.scheme, location.substr(2), location, ports, rules, out, why);
  if (location.empty()) return fail(why, "an empty Location", location);
  // A path: absolute, or relative to the base path's last '/'. Dot segments
  // are the server's to interpret.
  std::string path;
  if (location.front() == '/') {
    path.assign(location);
  } else {
    const std::string_view base_res(base.resource);
    const std::string_view dir = base_res.substr(0, base_res.find('?'));
    path.assign(dir.substr(0, dir.rfind('/') + 1));
    path.append(location);
  }
  // The base's userinfo does not carry over (RFC 9110 §10.2.2 keeps only
  // the fragment): credentials stay with the URL they were given for.
  const std::string rebuilt = base.scheme + "://" + base.authority(0) + path;
  return parse_url(rebuilt, ports, rules, out, why);
}

std::string url::target() const {
  std::string t = ipv6 ? "[" + host + "]" : host;
  t += ':';
  t += std::to_string(port);
  return t;
}

std::string url::authority(std::uint16_t default_port) const {
  std::string a = ipv6 ? "[" + host + "]" : host;
  if (port != default_port) {
    a += ':';
    a += std::to_string(port);
  }
  return a;
}

}  // namespace lwspp::net
