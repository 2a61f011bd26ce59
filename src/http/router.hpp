// Finding what serves a path: an exact route, else the longest prefix among
// prefix routes, mounts and redirects. Prefixes match on segment boundaries:
// "/static" matches "/static" and "/static/a", never "/staticfile".
#pragma once
#include <string>
#include <string_view>

#include "http/server_impl.hpp"

namespace lwspp::http {

struct route_match {
  enum class kind : std::uint8_t {
    none,
    route,
    mount,
    redirect,
    wrong_method,
    websocket_only,  // a WebSocket route asked for without an upgrade: 426
  } what = kind::none;
  const route_rule* route = nullptr;
  const mount_rule* mount = nullptr;
  const redirect_rule* redirect = nullptr;
  std::size_t prefix_len = 0;  // of the matched prefix in the path
  std::string allow;           // for wrong_method: the Allow header value
};

// `websocket`: the request asks for a WebSocket upgrade. WebSocket routes
// match only such GET requests, and win over other routes of the same path;
// other requests fall through them to the rest (or 426 when nothing else
// serves the path).
route_match match_route(const server::impl& s, method m, std::string_view method_name,
                        std::string_view path, bool websocket = false);

// True when prefix (no trailing slash, or "/") covers path on a segment boundary.
bool prefix_covers(std::string_view prefix, std::string_view path) noexcept;

}  // namespace lwspp::http
