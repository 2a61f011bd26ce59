// libFuzzer target for the clients' URL parsing (net/url through the HTTP
// client's http/client_url, and the WebSocket client's ws/url): parse, and
// resolve the input as a redirect Location against a fixed base.
//
// Round trip: a URL the HTTP client accepts prints (to_string) as text that
// parses back to the same URL, and printing that again gives the same text;
// every accepted URL has a host (or a socket path), a port and a resource
// starting with '/', free of spaces, controls and '#'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/client_url.hpp"
#include "ws/url.hpp"

namespace {

using lwspp::http::detail::client_url;

void check_shape(const client_url& u) {
  if (u.u.resource.empty() || u.u.resource.front() != '/') std::abort();
  for (char c : u.u.resource)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '#')
      std::abort();
  if (u.unix_path.empty() && (u.u.host.empty() || u.u.port == 0)) std::abort();
}

void check_round_trip(const client_url& u) {
  check_shape(u);
  const std::string printed = u.to_string();
  auto again = lwspp::http::detail::parse_client_url(printed);
  if (!again) std::abort();
  if (again.value().to_string() != printed) std::abort();
  if (again.value().origin_key() != u.origin_key()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto u = lwspp::http::detail::parse_client_url(text)) check_round_trip(u.value());
  static const auto base = lwspp::http::detail::parse_client_url("http://a.example:8080/dir/p?q=1");
  if (auto r = lwspp::http::detail::resolve_redirect(base.value(), text)) check_shape(r.value());
  static const auto unix_base = lwspp::http::detail::parse_client_url("unix:/run/s.sock:/d/p");
  if (auto r = lwspp::http::detail::resolve_redirect(unix_base.value(), text))
    check_shape(r.value());
  if (auto w = lwspp::ws::parse_url(text)) {
    auto again = lwspp::ws::parse_url(w.value().to_string());
    if (!again || again.value().to_string() != w.value().to_string()) std::abort();
  }
  return 0;
}
