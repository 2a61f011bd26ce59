// Proxy URLs: parse_proxy_url and proxy::address.
#include <optional>

#include "lwspp/address.hpp"
#include "lwspp/proxy.hpp"
#include "util/ascii.hpp"

namespace lwspp {
namespace {

error_info bad_url(std::string_view url, std::string why) {
  return error_info(proxy_error::invalid_url, std::move(why) + " in \"" + std::string(url) + "\"");
}

// Userinfo is percent-encoded (RFC 3986 §3.2.1): "p%40ss" is "p@ss".
std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = util::hex_digit(in[i + 1]), lo = util::hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

std::string proxy::address() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

result<proxy> parse_proxy_url(std::string_view url) {
  proxy p;
  std::string_view rest = url;
  if (const std::size_t sep = url.find("://"); sep != std::string_view::npos) {
    const std::string_view scheme = url.substr(0, sep);
    rest = url.substr(sep + 3);
    if (util::iequals(scheme, "http")) {
      p.kind = proxy_kind::http;
    } else if (util::iequals(scheme, "socks5") || util::iequals(scheme, "socks5h")) {
      p.kind = proxy_kind::socks5;
    } else if (util::iequals(scheme, "https")) {
      return error_info(proxy_error::unsupported_scheme,
                        "https:// proxies (TLS to the proxy) are not supported yet: \"" +
                            std::string(url) + "\"");
    } else {
      return error_info(proxy_error::unsupported_scheme,
                        "\"" + std::string(scheme) + "\" (use http, socks5 or socks5h) in \"" +
                            std::string(url) + "\"");
    }
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return bad_url(url, "a path, query or fragment");
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? std::string_view()
                                                                   : userinfo.substr(colon + 1));
    if (!user || !password) return bad_url(url, "a bad percent-escape in the credentials");
    p.user = std::move(*user);
    p.password = std::move(*password);
  }
  if (rest.empty()) return bad_url(url, "no host");
  auto hp = split_host_port(rest, 1080);
  if (!hp) return error_info(proxy_error::invalid_url, hp.error().detail);
  if (hp->port == 0) return bad_url(url, "port 0");
  p.host = std::move(hp->host);
  p.port = hp->port;
  return p;
}

}  // namespace lwspp
