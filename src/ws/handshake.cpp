// The server's opening handshake. See handshake.hpp.
#include "ws/handshake.hpp"

#include <openssl/evp.h>

#include "util/ascii.hpp"
#include "util/base64.hpp"

namespace lwspp::ws {

namespace {

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each trimmed, non-empty element of a comma list;
// stops when fn returns true, and returns whether it did.
template <class Fn>
bool for_each_element(std::string_view value, Fn fn) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view el = trim(value.substr(0, comma));
    if (!el.empty() && fn(el)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Sec-WebSocket-Version must be exactly 13 (one value; a client that lists
// several versions is asking us to pick, and 13 is the only one there is).
bool version_13(std::string_view v) noexcept {
  bool any = false;
  const bool other = for_each_element(v, [&](std::string_view el) {
    any = true;
    return el != "13";
  });
  return any && !other;
}

int choose_protocol(std::string_view offered, std::span<const std::string> ours) {
  int chosen = -1;
  for_each_element(offered, [&](std::string_view el) {
    for (std::size_t i = 0; i < ours.size(); ++i) {
      if (ours[i] == el) {  // subprotocol names are case-sensitive (RFC 6455 §11.5)
        chosen = static_cast<int>(i);
        return true;
      }
    }
    return false;
  });
  return chosen;
}

bool origin_allowed(const upgrade_request& r, std::span<const std::string> origins) {
  if (origins.empty() || !r.has_origin) return true;
  const std::string_view origin = trim(r.origin);
  for (const std::string& o : origins)
    if (util::iequals(o, origin)) return true;
  return false;
}

handshake_result refuse(int status, std::string_view problem) {
  handshake_result h;
  h.status = status;
  h.problem = problem;
  return h;
}

}  // namespace

std::string accept_key(std::string_view key) {
  std::string in;
  in.reserve(key.size() + handshake_guid.size());
  in.append(key);
  in.append(handshake_guid);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string out;
  if (EVP_Digest(in.data(), in.size(), md, &len, EVP_sha1(), nullptr) != 1) return out;
  util::base64_encode(std::string_view(reinterpret_cast<const char*>(md), len), out);
  return out;
}

bool valid_key(std::string_view key) noexcept {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  thread_local std::string decoded;
  return util::base64_decode(key, decoded) && decoded.size() == 16;
}

bool lists_token(std::string_view value, std::string_view token) noexcept {
  return for_each_element(value, [&](std::string_view el) { return util::iequals(el, token); });
}

handshake_result check_upgrade(const upgrade_request& r, const handshake_settings& s) {
  if (r.extended_connect) {
    // RFC 8441 §4-5: the version and the origin are checked as ever; the
    // stream itself is the upgrade.
    if (!version_13(r.version)) return refuse(426, "Sec-WebSocket-Version is not 13");
    if (!origin_allowed(r, s.origins)) return refuse(403, "Origin not allowed");
    handshake_result h;
    h.status = 200;
    h.extended_connect = true;
    if (!s.protocols.empty()) h.protocol = choose_protocol(r.protocols, s.protocols);
    if (s.deflate) h.deflate = negotiate_deflate(r.extensions, *s.deflate);
    return h;
  }
  if (!r.get) return refuse(400, "a WebSocket handshake must be a GET");
  if (!r.http11) return refuse(400, "a WebSocket handshake needs HTTP/1.1");
  if (!lists_token(r.upgrade, "websocket"))
    return refuse(426, "Upgrade does not ask for websocket");
  if (!lists_token(r.connection, "upgrade")) return refuse(400, "Connection does not list upgrade");
  if (!version_13(r.version)) return refuse(426, "Sec-WebSocket-Version is not 13");
  if (r.key_fields != 1) {
    return refuse(400,
                  r.key_fields == 0 ? "no Sec-WebSocket-Key" : "more than one Sec-WebSocket-Key");
  }
  const std::string_view key = trim(r.key);
  if (!valid_key(key)) return refuse(400, "Sec-WebSocket-Key is not 16 bytes in base64");
  if (!origin_allowed(r, s.origins)) return refuse(403, "Origin not allowed");

  handshake_result h;
  h.accept = accept_key(key);
  if (!s.protocols.empty()) h.protocol = choose_protocol(r.protocols, s.protocols);
  if (s.deflate) h.deflate = negotiate_deflate(r.extensions, *s.deflate);
  return h;
}

void append_accept_fields(std::string& out, const handshake_result& h,
                          std::span<const std::string> protocols) {
  if (!h.extended_connect) {
    out += "upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ";
    out += h.accept;
    out += "\r\n";
  }
  if (h.protocol >= 0 && static_cast<std::size_t>(h.protocol) < protocols.size()) {
    out += "sec-websocket-protocol: ";
    out += protocols[static_cast<std::size_t>(h.protocol)];
    out += "\r\n";
  }
  if (h.deflate) {
    out += "sec-websocket-extensions: ";
    out += format_deflate_response(*h.deflate);
    out += "\r\n";
  }
}

}  // namespace lwspp::ws
