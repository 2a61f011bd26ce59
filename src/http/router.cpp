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
                        std::string_view path) {
  route_match best;
  std::string allow;
  bool path_known = false;
  // Exact routes first.
  for (const auto& r : s.routes) {
    if (r->prefix || r->path != path) continue;
    path_known = true;
    if (method_fits(*r, m) && (m != method::other || r->any_method)) {
      best.what = route_match::kind::route;
      best.route = r.get();
      best.prefix_len = path.size();
      return best;
    }
    add_allow(allow, *r);
  }
  (void)method_name;
  if (path_known) {
    // The path is a route, only not for this method: 405 beats any prefix.
    best.what = route_match::kind::wrong_method;
    best.allow = std::move(allow);
    return best;
  }
  // Then the longest prefix among prefix routes, mounts and redirects.
  std::size_t best_len = 0;
  bool have = false;
  auto consider = [&](std::string_view prefix) {
    if (!prefix_covers(prefix, path)) return false;
    const std::size_t len = prefix == "/" ? 0 : prefix.size();
    if (have && len < best_len) return false;
    return true;
  };
  for (const auto& r : s.routes) {
    if (!r->prefix || !consider(r->path)) continue;
    if (!method_fits(*r, m) || (m == method::other && !r->any_method)) {
      path_known = true;
      add_allow(allow, *r);
      continue;
    }
    const std::size_t len = r->path == "/" ? 0 : r->path.size();
    if (have && len == best_len && best.what == route_match::kind::route) continue;
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
