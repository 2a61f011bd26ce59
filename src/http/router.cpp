// Route matching. Routes are few (tens) and fixed once listening, so a
// linear scan beats a hash table here; the common exact match exits early.
#include "http/router.hpp"

namespace lwspp::http {

namespace {

void add_allow(std::string& allow, const route_rule& r) {
  const std::string_view name =
      r.any_method ? std::string_view("GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS")
                   : to_string(r.verb);
  if (name.empty() || allow.find(name) != std::string::npos) return;
  if (!allow.empty()) allow += ", ";
  allow += name;
  // A GET route answers HEAD too.
  if (!r.any_method && r.verb == method::get && allow.find("HEAD") == std::string::npos)
    allow += ", HEAD";
}

bool method_fits(const route_rule& r, method m) noexcept {
  return r.any_method || r.verb == m || (r.verb == method::get && m == method::head);
}

}  // namespace

bool prefix_covers(std::string_view prefix, std::string_view path) noexcept {
  if (prefix.empty() || prefix == "/") return true;
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

route_match match_route(const server::impl& s, method m, std::string_view method_name,
                        std::string_view path, bool websocket) {
  route_match best;
  std::string allow;
  bool path_known = false;
  // A WebSocket request: upgrade routes first, plain ones as a fallback.
  // Otherwise WebSocket routes only note that the path is theirs.
  const bool ws_get = websocket && m == method::get;
  const bool ws_method = m == method::get || m == method::head;
  const route_rule* fallback = nullptr;
  bool ws_only = false;
  // Exact routes first.
  for (const auto& r : s.routes) {
    if (r->prefix || r->path != path) continue;
    path_known = true;
    if (r->ws) {
      if (ws_get) {
        fallback = r.get();
        break;
      }
      if (ws_method) {
        ws_only = true;
      } else {
        add_allow(allow, *r);
      }
      continue;
    }
    if (method_fits(*r, m) && (m != method::other || r->any_method)) {
      if (!ws_get) {
        best.what = route_match::kind::route;
        best.route = r.get();
        best.prefix_len = path.size();
        return best;
      }
      if (!fallback) fallback = r.get();
      continue;
    }
    add_allow(allow, *r);
  }
  (void)method_name;
  if (fallback) {
    best.what = route_match::kind::route;
    best.route = fallback;
    best.prefix_len = path.size();
    return best;
  }
  if (ws_only) {
    best.what = route_match::kind::websocket_only;
    return best;
  }
  if (path_known) {
    // The path is a route, only not for this method: 405 beats any prefix.
    best.what = route_match::kind::wrong_method;
    best.allow = std::move(allow);
    return best;
  }
  // Then the longest prefix among prefix routes, mounts and redirects.
  std::size_t best_len = 0;
  bool have = false;
  std::size_t ws_len = 0;  // the longest WebSocket prefix a plain request hit
  auto consider = [&](std::string_view prefix) {
    if (!prefix_covers(prefix, path)) return false;
    const std::size_t len = prefix == "/" ? 0 : prefix.size();
    if (have && len < best_len) return false;
    return true;
  };
  for (const auto& r : s.routes) {
    if (!r->prefix || !consider(r->path)) continue;
    const std::size_t len = r->path == "/" ? 0 : r->path.size();
    if (r->ws) {
      if (!ws_get) {
        if (ws_method && (!ws_only || len > ws_len)) ws_len = len;
        ws_only |= ws_method;
        continue;
      }
    } else if (!method_fits(*r, m) || (m == method::other && !r->any_method)) {
      path_known = true;
      add_allow(allow, *r);
      continue;
    }
    // At equal length the first route wins, except that an upgrade route
    // beats a plain one for a WebSocket request.
    if (have && len == best_len && best.what == route_match::kind::route &&
        !(r->ws && !best.route->ws))
      continue;
    best = {};
    best.what = route_match::kind::route;
    best.route = r.get();
    best_len = len;
    have = true;
  }
  for (const auto& mt : s.mounts) {
    if (!consider(mt->prefix)) continue;
    const std::size_t len = mt->prefix == "/" ? 0 : mt->prefix.size();
    if (have && len == best_len) continue;  // a route of the same prefix wins
    best = {};
    best.what = route_match::kind::mount;
    best.mount = mt.get();
    best_len = len;
    have = true;
  }
  for (const auto& rd : s.redirects) {
    if (!consider(rd.prefix)) continue;
    const std::size_t len = rd.prefix == "/" ? 0 : rd.prefix.size();
    if (have && len == best_len) continue;
    best = {};
    best.what = route_match::kind::redirect;
    best.redirect = &rd;
    best_len = len;
    have = true;
  }
  if (ws_only && (!have || ws_len > best_len)) {
    best = {};
    best.what = route_match::kind::websocket_only;
    return best;
  }
  if (have) {
    best.prefix_len = best_len;
    return best;
  }
  if (path_known) {
    best.what = route_match::kind::wrong_method;
    best.allow = std::move(allow);
  }
  return best;
}

}  // namespace lwspp::http
