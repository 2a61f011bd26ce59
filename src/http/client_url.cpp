// The HTTP client's URLs. See client_url.hpp.
#include "http/client_url.hpp"

#include "lwspp/http_client.hpp"
#include "util/ascii.hpp"

namespace lwspp::http::detail {
namespace {

std::uint16_t http_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "http+unix") return 80;
  if (scheme == "https" || scheme == "https+unix") return 443;
  return 0;
}

constexpr net::url_rules rules{.userinfo = true, .drop_fragment = true};

error_info bad(client_error e, std::string why) {
  return error_info(make_error_code(e), std::move(why));
}

// Percent-decodes the host of an http+unix URL into a socket path.
bool decode_socket_path(std::string_view host, std::string& out) {
  for (std::size_t i = 0; i < host.size(); ++i) {
    if (host[i] != '%') {
      out += host[i];
      continue;
    }
    if (i + 2 >= host.size()) return false;
    const int hi = util::hex_digit(host[i + 1]), lo = util::hex_digit(host[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return !out.empty() && out.find('\0') == std::string::npos;
}

// A parsed URL of any of our schemes into a client_url.
result<client_url> finish(net::url n, std::string_view text) {
  client_url c;
  if (n.scheme.ends_with("+unix")) {
    if (!decode_socket_path(n.host, c.unix_path))
      return bad(client_error::bad_url, net::describe_bad_url("invalid socket path", text));
    n.scheme.resize(n.scheme.size() - 5);
    n.host = "localhost";
    n.ipv6 = false;
    n.port = http_port(n.scheme);
  } else {
    // Host names are case-insensitive (RFC 3986 §3.2.2): one pool per host.
    for (char& ch : n.host)
      ch = util::to_lower(ch);
  }
  c.secure = n.scheme == "https";
  c.u = std::move(n);
  return c;
}

// unix:PATH[:RESOURCE]
result<client_url> parse_unix(std::string_view text) {
  const std::string_view rest = text.substr(5);
  const std::size_t sep = rest.find(":/", 1);
  const std::string_view path = rest.substr(0, sep);
  const std::string_view resource = sep == std::string_view::npos ? "/" : rest.substr(sep + 1);
  if (path.empty() || (path.front() != '/' && path.front() != '@'))
    return bad(client_error::bad_url,
               net::describe_bad_url("a Unix socket path must start with / or @", text));
  net::url n;
  std::string why;
  if (!net::parse_url("http://localhost" + std::string(resource), http_port, rules, n, why))
    return bad(client_error::bad_url, net::describe_bad_url("invalid path", text));
  for (char c : path)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return bad(client_error::bad_url, net::describe_bad_url("invalid socket path", text));
  client_url c;
  c.u = std::move(n);
  c.unix_path.assign(path);
  return c;
}

}  // namespace

result<client_url> parse_client_url(std::string_view text) {
  if (text.size() >= 5 && util::iequals(text.substr(0, 5), "unix:")) return parse_unix(text);
  net::url n;
  std::string why;
  if (!net::parse_url(text, http_port, rules, n, why)) {
    if (why.starts_with("unsupported scheme"))
      why = net::describe_bad_url("the scheme must be http, https, http+unix or https+unix", text);
    return bad(client_error::bad_url, std::move(why));
  }
  return finish(std::move(n), text);
}

result<client_url> resolve_redirect(const client_url& base, std::string_view location) {
  net::url n;
  std::string why;
  if (base.unix_path.empty()) {
    if (!net::resolve_reference(base.u, location, http_port, rules, n, why))
      return bad(client_error::bad_redirect, "Location " + std::move(why));
    return finish(std::move(n), location);
  }
  // Over a Unix socket only paths stay on it; an absolute URL leaves it.
  const bool absolute =
      location.find("://") != std::string_view::npos || location.starts_with("//");
  if (absolute) {
    if (!net::resolve_reference(base.u, location, http_port, rules, n, why))
      return bad(client_error::bad_redirect, "Location " + std::move(why));
    return finish(std::move(n), location);
  }
  if (!net::resolve_reference(base.u, location, http_port, rules, n, why))
    return bad(client_error::bad_redirect, "Location " + std::move(why));
  client_url c = base;
  c.u.resource = std::move(n.resource);
  return c;
}

std::string client_url::connect_target() const {
  return unix_path.empty() ? u.target() : "unix:" + unix_path;
}

std::string client_url::authority() const {
  return u.authority(secure ? 443 : 80);
}

std::string client_url::origin_key() const {
  std::string k = u.scheme;
  k += "://";
  k += unix_path.empty() ? u.target() : "unix:" + unix_path;
  return k;
}

std::string client_url::to_string() const {
  if (unix_path.empty()) return to_string(authority());
  // The +unix form: it says https, and holds any socket path.
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string s = u.scheme + "+unix://";
  for (char ch : unix_path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      s += ch;
    } else {
      s += '%';
      s += hex[c >> 4];
      s += hex[c & 15];
    }
  }
  return s + u.resource;
}

std::string client_url::to_string(std::string_view authority) const {
  if (!unix_path.empty()) return to_string();
  std::string s;
  s.reserve(u.scheme.size() + 3 + authority.size() + u.resource.size());
  s += u.scheme;
  s += "://";
  s += authority;
  s += u.resource;
  return s;
}

}  // namespace lwspp::http::detail
