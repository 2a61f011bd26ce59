// Finding what serves a path: an exact route, else the longest prefix among
// prefix routes, mounts and redirects. Prefixes match on segment boundaries:
// "/static" matches "/static" and "/static/a", never "/staticfile".
#pragma once
#include <string>
#include <string_view>

#include "http/server_impl.hpp"

namespace lwspp::http {

struct route_match {
  enum class kind : std::uint8_t { none, route, mount, redirect, wrong_method } what = kind::none;
  const route_rule* route = nullptr;
  const mount_rule* mount = nullptr;
  const redirect_rule* redirect = nullptr;
  std::size_t prefix_len = 0;  // of the matched prefix in the path
  std::string allow;           // for wrong_method: the Allow header value
};

route_match match_route(const server::impl& s, method m, std::string_view method_name,
                        std::string_view path);

// True when prefix (no trailing slash, or "/") covers path on a segment boundary.
bool prefix_covers(std::string_view prefix, std::string_view path) noexcept;

}  // namespace lwspp::http
