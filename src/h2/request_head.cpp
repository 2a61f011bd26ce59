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
  return {error::protocol_error, why, 0, -1, {}};
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
  switch (name.size()) {  // one compare per field, not one per known name
    case 5:
      return name == ":path" && set(p.path, p.has_path);
    case 7:
      if (name == ":method") return set(p.method, p.has_method);
      return name == ":scheme" && set(p.scheme, p.has_scheme);
    case 9:
      return name == ":protocol" && set(p.protocol, p.has_protocol);  // RFC 8441
    case 10:
      return name == ":authority" && set(p.authority, p.has_authority);
    default:
      return false;  // :status or unknown
  }
}

// Views into the header list's arena, moved to wherever the bytes went.
class rebase {
 public:
  rebase(const char* old_data, std::size_t old_size, const char* now) noexcept
      : old_(old_data), size_(old_size), now_(now) {}
  void operator()(std::string_view& v) const noexcept {
    const auto at = reinterpret_cast<std::uintptr_t>(v.data());
    const auto from = reinterpret_cast<std::uintptr_t>(old_);
    if (at >= from && at <= from + size_) v = {now_ + (at - from), v.size()};
  }

 private:
  const char* old_;
  std::size_t size_;
  const char* now_;
};

}  // namespace

request_head_result read_request_head(hpack::header_list& fields, exchange& ex) {
  pseudo p;
  request_head_result r;
  bool regular_seen = false;
  std::size_t cookies = 0;
  std::size_t cookie_bytes = 0;
  bool has_host = false;
  std::string_view first_host;
  auto& headers = exchange::headers(ex.req);
  headers.clear();
  // One pass: each field is checked and, when regular, listed with views
  // into the list's arena (which becomes the request's storage below).
  for (const hpack::header_field f : fields) {
    if (!valid_field_value(f.value))
      return malformed("field value with NUL, CR, LF or edge whitespace");
    if (!f.name.empty() && f.name.front() == ':') {
      if (regular_seen) return malformed("pseudo-header field after a regular field");
      if (!take_pseudo(p, f.name, f.value)) return malformed("unknown or repeated pseudo-header");
      continue;
    }
    regular_seen = true;
    if (!valid_field_name(f.name)) return malformed("field name not a lower-case token");
    switch (classify_field(f.name)) {
      case field_kind::other:
        break;
      case field_kind::connection_specific:
        return malformed("connection-specific field");
      case field_kind::te:
        if (f.value != "trailers") return malformed("te other than trailers");
        break;
      case field_kind::cookie:
        ++cookies;
        cookie_bytes += f.value.size() + 2;
        break;
      case field_kind::priority:
        r.prio = parse_priority(f.value, r.prio);  // lines combine as one list
        break;
      case field_kind::host:
        if (!has_host) first_host = f.value;
        has_host = true;
        break;
      case field_kind::content_length: {
        const std::optional<std::uint64_t> n = parse_content_length(f.value);
        if (!n || (r.content_length >= 0 && static_cast<std::uint64_t>(r.content_length) != *n))
          return malformed("invalid content-length");
        r.content_length = static_cast<std::int64_t>(*n);
        break;
      }
    }
    headers.push_back({f.name, f.value});
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
  // A WebSocket (RFC 8441) reaches the routes as the GET of an HTTP/1.1
  // upgrade would: the same ws route and handlers take it.
  const bool websocket = extended && p.protocol == "websocket";

  // The decoded bytes become the request's storage without a copy (the
  // request's old buffer is the list's next arena). Views follow the bytes
  // if they moved (a short arena lives inside the string object).
  std::string& store = exchange::storage(ex.req);
  auto moved = [&](const rebase& to) {
    for (http::header& h : headers) {
      to(h.name);
      to(h.value);
    }
    to(p.method);
    to(p.path);
    to(p.authority);
    to(first_host);
  };
  {
    const char* old = fields.arena_data();
    const std::size_t old_size = fields.arena_size();
    fields.give_arena(store);
    if (store.data() != old) moved(rebase(old, old_size, store.data()));
  }
  // §8.2.3: cookie crumbs are joined with "; " for the application, into
  // the first one's place.
  if (cookies > 1) {
    const char* old = store.data();
    const std::size_t old_size = store.size();
    store.reserve(old_size + cookie_bytes);
    if (store.data() != old) moved(rebase(old, old_size, store.data()));
    std::size_t first = headers.size();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (headers[i].name != "cookie") {
        headers[kept++] = headers[i];
        continue;
      }
      if (first == headers.size()) {
        first = kept;
        headers[kept++] = headers[i];
      } else {
        store.append("; ");
      }
      store.append(headers[i].value);
    }
    headers.resize(kept);
    headers[first].value = std::string_view(store.data() + old_size, store.size() - old_size);
  }
  const std::string_view method_name = websocket ? std::string_view("GET") : p.method;
  const std::string_view target = p.path;
  const std::string_view authority = p.authority;
  // §8.3.1: an :authority stands for Host; handlers written for HTTP/1.1
  // read the host header, so one is added when the client sent none.
  if (p.has_authority && !has_host) headers.insert(headers.begin(), {"host", authority});
  const std::string_view host = p.has_authority ? authority : first_host;

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
