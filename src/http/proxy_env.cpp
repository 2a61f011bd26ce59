// The environment's proxy rules: which variable applies, and no_proxy.
#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "lwspp/proxy.hpp"
#include "util/ascii.hpp"

namespace lwspp {
namespace {

struct ip_bytes {
  int family = 0;
  unsigned char b[16] = {};
  unsigned bits() const noexcept { return family == AF_INET ? 32 : 128; }
  bool operator==(const ip_bytes& o) const noexcept {
    return family == o.family && std::memcmp(b, o.b, bits() / 8) == 0;
  }
};

std::optional<ip_bytes> parse_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  const std::string text(s);
  ip_bytes ip;
  if (::inet_pton(AF_INET, text.c_str(), ip.b) == 1) {
    ip.family = AF_INET;
  } else if (::inet_pton(AF_INET6, text.c_str(), ip.b) == 1) {
    ip.family = AF_INET6;
  } else {
    return std::nullopt;
  }
  return ip;
}

// Whether the first `prefix` bits of a and b agree.
bool same_prefix(const ip_bytes& a, const ip_bytes& b, unsigned prefix) {
  if (a.family != b.family || prefix > a.bits()) return false;
  const unsigned whole = prefix / 8, rest = prefix % 8;
  if (std::memcmp(a.b, b.b, whole) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a.b[whole] & mask) == (b.b[whole] & mask);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A host as entries and hosts are compared: lowercase, no brackets, no
// trailing dot.
std::string normal_host(std::string_view h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  while (h.ends_with('.'))
    h.remove_suffix(1);
  std::string out(h);
  for (char& c : out)
    c = util::to_lower(c);
  return out;
}

bool cidr_matches(std::string_view entry, const std::optional<ip_bytes>& host_ip) {
  const std::size_t slash = entry.find('/');
  const auto net = parse_ip(entry.substr(0, slash));
  const std::string_view len = entry.substr(slash + 1);
  if (!net || !host_ip || len.empty() || len.size() > 3) return false;
  unsigned prefix = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return false;
    prefix = prefix * 10 + static_cast<unsigned>(c - '0');
  }
  return same_prefix(*net, *host_ip, prefix);
}

bool entry_matches(std::string_view entry, const std::string& host,
                   const std::optional<ip_bytes>& host_ip, std::uint16_t port) {
  if (entry.find('/') != std::string_view::npos) return cidr_matches(entry, host_ip);
  // "[v6]:port", "[v6]", "name:port", "v4:port"; a bare IPv6 has several ':'.
  std::string_view name = entry, port_text;
  if (entry.front() == '[') {
    const std::size_t close = entry.find(']');
    if (close == std::string_view::npos) return false;
    name = entry.substr(1, close - 1);
    if (entry.size() > close + 1) {
      if (entry[close + 1] != ':') return false;
      port_text = entry.substr(close + 2);
    }
  } else if (const std::size_t colon = entry.find(':');
             colon != std::string_view::npos &&
             entry.find(':', colon + 1) == std::string_view::npos) {
    name = entry.substr(0, colon);
    port_text = entry.substr(colon + 1);
  }
  if (!port_text.empty() && port_text != std::to_string(port)) return false;
  if (const auto ip = parse_ip(name)) return host_ip && *ip == *host_ip;
  if (host_ip) return false;  // an address is not under a domain ("2.3.4" vs 1.2.3.4)
  while (name.starts_with('.'))
    name.remove_prefix(1);
  const std::string domain = normal_host(name);
  if (domain.empty()) return false;
  // The domain itself and every name under it, never a mere suffix
  // ("example.com" does not cover "badexample.com").
  return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                            host[host.size() - domain.size() - 1] == '.');
}

// The lowercase variable, else the uppercase one.
std::string env_var(const char* lower, const char* upper) {
  if (const char* v = std::getenv(lower); v && *v) return v;
  if (const char* v = upper ? std::getenv(upper) : nullptr; v && *v) return v;
  return {};
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port) {
  const std::string h = normal_host(host);
  const auto host_ip = parse_ip(h);
  while (!no_proxy.empty()) {
    const std::size_t comma = no_proxy.find(',');
    const std::string_view entry = trim(no_proxy.substr(0, comma));
    no_proxy = comma == std::string_view::npos ? std::string_view() : no_proxy.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry_matches(entry, h, host_ip, port)) return true;
  }
  return false;
}

proxy_environment proxy_environment::from_process() {
  // In a CGI program HTTP_PROXY is the request's "Proxy:" header ("httpoxy"):
  // never trust it there. curl ignores HTTP_PROXY always; we honour it
  // elsewhere, because many tools (Docker, CI systems) set only that one.
  const bool cgi = std::getenv("REQUEST_METHOD") != nullptr;
  return {
      .https_proxy = env_var("https_proxy", "HTTPS_PROXY"),
      .http_proxy = env_var("http_proxy", cgi ? nullptr : "HTTP_PROXY"),
      .all_proxy = env_var("all_proxy", "ALL_PROXY"),
      .no_proxy = env_var("no_proxy", "NO_PROXY"),
  };
}

result<std::optional<proxy>> proxy_for(const proxy_environment& env, bool https,
                                       std::string_view host, std::uint16_t port) {
  const char* name = https ? "https_proxy" : "http_proxy";
  std::string_view value = https ? env.https_proxy : env.http_proxy;
  if (value.empty()) {
    name = "all_proxy";
    value = env.all_proxy;
  }
  if (value.empty() || no_proxy_matches(env.no_proxy, host, port)) return std::optional<proxy>();
  auto p = parse_proxy_url(value);
  if (!p) return error_info(p.error().code, std::string(name) + ": " + p.error().detail);
  return std::optional<proxy>(std::move(*p));
}

result<std::optional<proxy>> proxy_for(bool https, std::string_view host, std::uint16_t port) {
  return proxy_for(proxy_environment::from_process(), https, host, port);
}

}  // namespace lwspp
