// Checking and converting an HTTP/2 request head. See request_head.hpp.
#include "h2/request_head.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include "h2/fields.hpp"
#include "http/known_headers.hpp"
#include "http/path.hpp"
#include "util/ascii.hpp"

namespace lwspp::h2 {

namespace {

using http::detail::exchange;

request_head_result malformed(const char* why) {
  return {error::protocol_error, why, 0, -1};
}

struct pseudo {
  std::string_view method, scheme, authority, path, protocol;
  bool has_method = false, has_scheme = false, has_authority = false, has_path = false,
       has_protocol = false;
};

// One pseudo-header field into p; false on an unknown or repeated one.
bool take_pseudo(pseudo& p, std::string_view name, std::string_view value) noexcept {
  auto set = [&](std::string_view& slot, bool& has) {
    if (has) return false;
    has = true;
    slot = value;
    return true;
  };
  if (name == ":method") return set(p.method, p.has_method);
  if (name == ":scheme") return set(p.scheme, p.has_scheme);
  if (name == ":authority") return set(p.authority, p.has_authority);
  if (name == ":path") return set(p.path, p.has_path);
  if (name == ":protocol") return set(p.protocol, p.has_protocol);  // RFC 8441
  return false;                                                     // :status or unknown
}

}  // namespace

request_head_result read_request_head(const hpack::header_list& fields, exchange& ex) {
  pseudo p;
  request_head_result r;
  bool regular_seen = false;
  std::size_t cookies = 0;
  std::size_t bytes = 0;
  bool has_host = false;
  for (const hpack::header_field f : fields) {
    if (!valid_field_value(f.value))
      return malformed("field value with NUL, CR, LF or edge whitespace");
    bytes += f.name.size() + f.value.size() + 2;
    if (!f.name.empty() && f.name.front() == ':') {
      if (regular_seen) return malformed("pseudo-header field after a regular field");
      if (!take_pseudo(p, f.name, f.value)) return malformed("unknown or repeated pseudo-header");
      continue;
    }
    regular_seen = true;
    if (!valid_field_name(f.name)) return malformed("field name not a lower-case token");
    if (connection_specific(f.name)) return malformed("connection-specific field");
    if (f.name == "te" && f.value != "trailers") return malformed("te other than trailers");
    if (f.name == "cookie") ++cookies;
    if (f.name == "host") has_host = true;
    if (f.name == "content-length") {
      const std::optional<std::uint64_t> n = parse_content_length(f.value);
      if (!n || (r.content_length >= 0 && static_cast<std::uint64_t>(r.content_length) != *n))
        return malformed("invalid content-length");
      r.content_length = static_cast<std::int64_t>(*n);
    }
  }
  if (!p.has_method) return malformed("no :method");
  const bool connect = p.method == "CONNECT";
  // RFC 8441 §4: an extended CONNECT names its protocol and has the
  // :scheme and :path of an ordinary request.
  const bool extended = connect && p.has_protocol;
  if (p.has_protocol && !connect) return malformed(":protocol without CONNECT");
  if (extended) {
    if (!p.has_scheme || !p.has_path || p.path.empty() || !p.has_authority)
      return malformed("extended CONNECT without :scheme, :path or :authority");
  } else if (connect) {
    if (p.has_scheme || p.has_path || !p.has_authority) return malformed("CONNECT head");
  } else if (!p.has_scheme || !p.has_path || p.path.empty()) {
    return malformed("no :scheme or :path");
  }
  if (!util::is_token(p.method)) return malformed(":method not a token");

  // Copy what the request keeps into its storage, then point into it (one
  // reserve: no view is invalidated by a reallocation).
  std::string& store = exchange::storage(ex.req);
  store.clear();
  store.reserve(bytes + p.method.size() + p.path.size() + p.authority.size() + 16);
  auto keep = [&store](std::string_view v) {
    const std::size_t at = store.size();
    store.append(v);
    return std::string_view(store.data() + at, v.size());
  };
  // A WebSocket (RFC 8441) reaches the routes as the GET of an HTTP/1.1
  // upgrade would: the same ws route and handlers take it.
  const bool websocket = extended && p.protocol == "websocket";
  const std::string_view method_name = websocket ? std::string_view("GET") : keep(p.method);
  const std::string_view target = keep(p.path);
  const std::string_view authority = keep(p.authority);
  auto& headers = exchange::headers(ex.req);
  headers.clear();
  // §8.3.1: an :authority stands for Host; handlers written for HTTP/1.1
  // read the host header, so one is added when the client sent none.
  if (p.has_authority && !has_host) headers.push_back({"host", authority});
  std::string_view host = authority;
  // §8.2.3: cookie crumbs are joined with "; " for the application (after
  // the loop, into one stored value; the reserve above has room for it).
  std::size_t cookie_at = std::string::npos;
  for (const hpack::header_field f : fields) {
    if (f.name.front() == ':') continue;
    if (f.name == "cookie" && cookies > 1) {
      if (cookie_at == std::string::npos) {
        cookie_at = headers.size();
        headers.push_back({"cookie", {}});
      }
      continue;
    }
    const std::string_view name = f.name == "host" ? std::string_view("host") : keep(f.name);
    const std::string_view value = keep(f.value);
    if (f.name == "host" && !p.has_authority && host.empty()) host = value;
    headers.push_back({name, value});
  }
  if (cookie_at != std::string::npos) {
    const std::size_t at = store.size();
    for (const hpack::header_field f : fields) {
      if (f.name != "cookie") continue;
      if (store.size() != at) store.append("; ");
      store.append(f.value);
    }
    headers[cookie_at].value = std::string_view(store.data() + at, store.size() - at);
  }

  std::string_view raw_path = target;
  std::string_view query;
  if (const std::size_t q = raw_path.find('?'); q != std::string_view::npos) {
    query = raw_path.substr(q + 1);
    raw_path = raw_path.substr(0, q);
  }
  exchange::set_head(ex.req, http::lookup_method(method_name), method_name, target, query, host,
                     20);
  ex.extended_connect = websocket;
  if (connect && !websocket) {
    r.status = 501;  // a tunnel, or a protocol other than websocket: not served here
    return r;
  }
  if (!http::normalize_path(raw_path, exchange::path(ex.req))) r.status = 400;
  return r;
}

}  // namespace lwspp::h2
