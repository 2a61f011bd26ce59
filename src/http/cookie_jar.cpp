// The cookie jar: storage (RFC 6265 §5.3) and retrieval (§5.4).
#include "http/cookie_jar.hpp"

#include <algorithm>

#include "tls/names.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {

namespace detail {

bool domain_match(std::string_view host, std::string_view domain) noexcept {
  if (host == domain) return true;
  if (domain.empty() || host.size() <= domain.size()) return false;
  if (!host.ends_with(domain) || host[host.size() - domain.size() - 1] != '.') return false;
  return !tls::is_ip_literal(host);
}

bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept {
  if (!request_path.starts_with(cookie_path)) return false;
  return request_path.size() == cookie_path.size() || cookie_path.back() == '/' ||
         request_path[cookie_path.size()] == '/';
}

std::string default_path(std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') return "/";
  const std::size_t last = request_path.rfind('/');
  if (last == 0) return "/";
  return std::string(request_path.substr(0, last));
}

}  // namespace detail

namespace {

struct request_parts {
  std::string host;       // lower case, IPv6 brackets removed
  std::string_view path;  // without the query; "/" when empty
  bool secure = false;
  bool ip = false;
};

request_parts split(const request_url& u) {
  request_parts r;
  std::string_view host = u.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  r.host.assign(host);
  for (char& c : r.host)
    c = util::to_lower(c);
  r.ip = tls::is_ip_literal(r.host);
  r.path = u.path.substr(0, u.path.find_first_of("?#"));
  if (r.path.empty()) r.path = "/";
  r.secure = util::iequals(u.scheme, "https") || util::iequals(u.scheme, "wss");
  return r;
}

// Least recently used first; equal times: the older cookie.
bool used_earlier(const cookie_jar::cookie& a, const cookie_jar::cookie& b) noexcept {
  if (a.last_access != b.last_access) return a.last_access < b.last_access;
  return a.order < b.order;
}

}  // namespace

bool cookie_jar::store(std::string_view set_cookie_value, const request_url& u, time_point now) {
  auto parsed = detail::parse_set_cookie(set_cookie_value, now);
  if (!parsed) return false;
  const request_parts req = split(u);
  if (req.host.empty()) return false;
  // RFC 6265bis §5.6 step 11: only a secure origin sets Secure cookies.
  if (parsed->secure && !req.secure) return false;

  cookie c;
  c.host_only = true;
  c.domain = req.host;
  if (!parsed->domain.empty()) {
    // No public suffix list: a bare label ("com", "localhost") stands in for
    // one (§5.3 step 5): allowed only as the host itself, as host-only.
    const bool bare = parsed->domain.find('.') == std::string::npos;
    if (parsed->domain != req.host) {
      if (bare || !detail::domain_match(req.host, parsed->domain)) return false;
      c.host_only = false;
      c.domain = std::move(parsed->domain);
    } else if (!bare && !req.ip) {
      c.host_only = false;  // Domain=example.com from example.com covers its subdomains
    }
  }
  c.name = std::move(parsed->name);
  c.value = std::move(parsed->value);
  c.path = parsed->path.empty() ? detail::default_path(req.path) : std::move(parsed->path);
  c.expires = parsed->expires.value_or(time_point::max());
  c.secure = parsed->secure;
  c.http_only = parsed->http_only;
  c.same_site = parsed->same_site;
  c.created = now;
  c.last_access = now;
  c.order = next_order_++;

  auto it = by_domain_.find(c.domain);
  bool changed = false;
  if (it != by_domain_.end()) {
    auto& list = it->second;
    const auto old = std::find_if(list.begin(), list.end(), [&](const cookie& o) {
      return o.name == c.name && o.path == c.path;
    });
    if (old != list.end()) {
      if (old->secure && !req.secure) return false;  // RFC 6265bis: no overwriting from http
      c.created = old->created;                      // §5.3 step 11.3
      c.order = old->order;
      erase_one(it, static_cast<std::size_t>(old - list.begin()));
      changed = true;
      it = by_domain_.find(c.domain);
    }
  }
  if (c.expires <= now) return changed;  // a deletion (Max-Age=0, a past Expires)
  if (it == by_domain_.end()) it = by_domain_.try_emplace(c.domain).first;
  const std::string domain = c.domain;
  it->second.push_back(std::move(c));
  ++total_;
  evict(domain, now);
  return true;
}

std::string cookie_jar::header_for(const request_url& u, time_point now) {
  const request_parts req = split(u);
  std::vector<cookie*> out;
  // The host, then each parent domain (not for an IP literal: §5.1.3).
  std::string_view domain = req.host;
  while (!domain.empty()) {
    const auto it = by_domain_.find(domain);
    if (it != by_domain_.end() && drop_expired(it, now)) {
      for (cookie& c : it->second) {
        if (c.host_only && domain != req.host) continue;
        if (c.secure && !req.secure) continue;
        if (!detail::path_match(req.path, c.path)) continue;
        out.push_back(&c);
      }
    }
    if (req.ip) break;
    const std::size_t dot = domain.find('.');
    domain = dot == std::string_view::npos ? std::string_view() : domain.substr(dot + 1);
  }
  // §5.4 step 2: longer paths first, then earlier creation.
  std::sort(out.begin(), out.end(), [](const cookie* a, const cookie* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    if (a->created != b->created) return a->created < b->created;
    return a->order < b->order;
  });
  std::string header;
  for (cookie* c : out) {
    if (!header.empty()) header += "; ";
    header += c->name;
    header += '=';
    header += c->value;
    c->last_access = now;
  }
  return header;
}

void cookie_jar::remove_expired(time_point now) {
  for (auto it = by_domain_.begin(); it != by_domain_.end();) {
    const auto next = std::next(it);
    drop_expired(it, now);
    it = next;
  }
}

bool cookie_jar::drop_expired(domain_map::iterator it, time_point now) {
  auto& list = it->second;
  const auto before = list.size();
  std::erase_if(list, [&](const cookie& c) { return c.expires <= now; });
  total_ -= before - list.size();
  if (!list.empty()) return true;
  by_domain_.erase(it);
  return false;
}

void cookie_jar::clear() noexcept {
  by_domain_.clear();
  total_ = 0;
}

std::vector<cookie_jar::cookie> cookie_jar::cookies() const {
  std::vector<cookie> all;
  all.reserve(total_);
  for (const auto& [domain, list] : by_domain_)
    all.insert(all.end(), list.begin(), list.end());
  return all;
}

void cookie_jar::erase_one(domain_map::iterator it, std::size_t index) {
  auto& list = it->second;
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(index));
  --total_;
  if (list.empty()) by_domain_.erase(it);
}

// §5.3 step 12: expired cookies first, then the least recently used — of
// the domain when it is over its bound, then of the whole jar.
void cookie_jar::evict(const std::string& domain, time_point now) {
  auto it = by_domain_.find(domain);
  if (it != by_domain_.end() && it->second.size() > max_per_domain && drop_expired(it, now)) {
    auto& list = it->second;
    while (list.size() > max_per_domain) {
      list.erase(std::min_element(list.begin(), list.end(), used_earlier));
      --total_;
    }
  }
  if (total_ <= max_total) return;
  remove_expired(now);
  while (total_ > max_total) {
    auto victim_domain = by_domain_.end();
    std::size_t victim = 0;
    for (auto d = by_domain_.begin(); d != by_domain_.end(); ++d) {
      const auto m = std::min_element(d->second.begin(), d->second.end(), used_earlier);
      if (victim_domain == by_domain_.end() || used_earlier(*m, victim_domain->second[victim])) {
        victim_domain = d;
        victim = static_cast<std::size_t>(m - d->second.begin());
      }
    }
    erase_one(victim_domain, victim);
  }
}

}  // namespace lwspp::http
