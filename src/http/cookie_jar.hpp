// A client's cookie jar (RFC 6265 §5.3 storage, §5.4 the Cookie header),
// sans-I/O: the client calls store() for each Set-Cookie of a response and
// header_for() before each request. No persistence, no public suffix list
// (see docs/cookies-auth.md); one jar per client, used from its loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/cookie_parse.hpp"

namespace lwspp::http {

// The parts of a request's URL the jar needs. The client adapts its own URL
// type to this.
struct request_url {
  std::string_view scheme = {};  // "http", "https" ("ws", "wss" too); https/wss are secure
  std::string_view host = {};    // lower case; a DNS name, or an IP literal ("[::1]" or "::1")
  std::string_view path = {};    // the request-target's path; a '?' and what follows are ignored
};

class cookie_jar {
 public:
  using clock = std::chrono::system_clock;
  using time_point = clock::time_point;

  // Bounds (RFC 6265 §6.1 asks for at least 50 per domain and 3000 in all).
  // Past them, expired cookies go first, then the least recently used.
  static constexpr std::size_t max_per_domain = 50;
  static constexpr std::size_t max_total = 3000;
  static constexpr std::size_t max_cookie_size = detail::max_cookie_size;  // name + value

  struct cookie {
    std::string name;
    std::string value;
    std::string domain;  // the request host when host_only
    std::string path;
    time_point expires = time_point::max();  // max(): a session cookie
    time_point created;
    time_point last_access;
    std::uint64_t order = 0;  // creation order, ties of `created` broken by it
    bool host_only = true;
    bool secure = false;
    bool http_only = false;
    detail::same_site same_site = detail::same_site::unset;
  };

  // Stores (or replaces, or deletes: Max-Age <= 0, a past Expires) the
  // cookie of one Set-Cookie field value received from `u`. Cookies the
  // RFC says to ignore are ignored: malformed, too large, a Domain the host
  // is not in, a Domain that is a bare top-level label ("com") other than
  // the host itself, Secure from a non-secure scheme (RFC 6265bis), or one
  // that would replace a Secure cookie from a non-secure scheme. Returns
  // whether the jar changed.
  bool store(std::string_view set_cookie_value, const request_url& u, time_point now);

  // The Cookie field value for a request to `u` ("a=1; b=2"), empty when no
  // cookie applies. Longer paths first, then earlier creation. Expired
  // cookies are removed; the cookies sent get `now` as last access.
  std::string header_for(const request_url& u, time_point now);

  // Removes every expired cookie.
  void remove_expired(time_point now);
  void clear() noexcept;

  std::size_t size() const noexcept { return total_; }
  // Every cookie, domain by domain (for inspection and tests).
  std::vector<cookie> cookies() const;

 private:
  // By cookie domain; a host's cookies are found by looking up the host and
  // each of its parent domains. A domain's entry exists while it has cookies.
  using domain_map = std::map<std::string, std::vector<cookie>, std::less<>>;

  void evict(const std::string& domain, time_point now);
  void erase_one(domain_map::iterator it, std::size_t index);
  // Removes the domain's expired cookies; false when none is left (the
  // entry is then erased).
  bool drop_expired(domain_map::iterator it, time_point now);

  domain_map by_domain_;
  std::size_t total_ = 0;
  std::uint64_t next_order_ = 0;
};

namespace detail {

// RFC 6265 §5.1.3: `host` is `domain`, or ends with "." + domain and is not
// an IP literal.
bool domain_match(std::string_view host, std::string_view domain) noexcept;
// RFC 6265 §5.1.4.
bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept;
std::string default_path(std::string_view request_path);

}  // namespace detail

}  // namespace lwspp::http
