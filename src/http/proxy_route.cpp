// route_via: a connection's tunnel through a proxy.
#include "http/proxy_connect.hpp"
#include "lwspp/context.hpp"
#include "lwspp/proxy.hpp"
#include "net/socks5.hpp"

namespace lwspp {

result<std::string> route_via(connect_options& opts, const proxy& p, std::string_view host,
                              std::uint16_t port) {
  if (p.host.empty() || p.port == 0)
    return error_info(proxy_error::invalid_url, "route_via: the proxy has no host or port");
  // Bracketed IPv6 from a URL's authority: the tunnels want the bare literal.
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string target = p.address();
  if (p.kind == proxy_kind::socks5) {
    detail::socks5_request r{std::string(host), port, p.user, p.password, target};
    if (auto why = detail::socks5_check(r)) return error_info(*why);
    opts.make_tunnel = [r = std::move(r)] { return std::make_unique<detail::socks5_client>(r); };
  } else {
    http::connect_request r{std::string(host), port, p.user, p.password, target};
    if (auto why = http::connect_check(r)) return error_info(*why);
    opts.make_tunnel = [r = std::move(r)] { return std::make_unique<http::connect_tunnel>(r); };
  }
  return target;
}

}  // namespace lwspp
