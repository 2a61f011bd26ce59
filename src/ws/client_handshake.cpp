// The client's opening handshake. See client_handshake.hpp.
#include "ws/client_handshake.hpp"

#include <cstddef>

#include "lwspp/ws_client.hpp"
#include "util/ascii.hpp"
#include "util/base64.hpp"
#include "util/random.hpp"

namespace lwspp::ws {
namespace {

// The fields build_upgrade_request writes itself.
bool handshake_owns(std::string_view name) noexcept {
  return util::iequals(name, "host") || util::iequals(name, "upgrade") ||
         util::iequals(name, "connection") || util::iequals(name, "origin") ||
         util::iequals(name, "content-length") || util::iequals(name, "transfer-encoding") ||
         (name.size() >= 14 && util::iequals(name.substr(0, 14), "sec-websocket-"));
}

error_info invalid(std::string why) {
  return error_info(make_error_code(client_error::handshake_invalid), std::move(why));
}

}  // namespace

std::string make_client_key() {
  std::byte raw[16];
  util::random_bytes(raw);
  std::string key;
  util::base64_encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw), key);
  return key;
}

std::string check_client_fields(std::span<const std::pair<std::string, std::string>> headers,
                                std::span<const std::string> protocols, std::string_view origin) {
  for (const auto& [name, value] : headers) {
    if (!util::is_token(name)) return "header name '" + name + "' is not a token";
    if (!util::is_field_value(value)) return "header '" + name + "' has CR, LF, NUL or a control";
    if (handshake_owns(name)) return "header '" + name + "' is written by the handshake";
  }
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    if (!util::is_token(protocols[i])) return "subprotocol '" + protocols[i] + "' is not a token";
    for (std::size_t j = 0; j < i; ++j)
      if (protocols[j] == protocols[i]) return "subprotocol '" + protocols[i] + "' given twice";
  }
  if (!util::is_field_value(origin)) return "the origin has CR, LF, NUL or a control";
  return {};
}

std::string build_upgrade_request(const client_request& r, std::string_view key) {
  std::string out;
  out.reserve(256);
  out += "GET ";
  out.append(r.resource);
  out += " HTTP/1.1\r\nHost: ";
  out.append(r.authority);
  out +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: ";
  out.append(key);
  out += "\r\n";
  if (!r.origin.empty()) {
    out += "Origin: ";
    out.append(r.origin);
    out += "\r\n";
  }
  if (!r.protocols.empty()) {
    out += "Sec-WebSocket-Protocol: ";
    for (std::size_t i = 0; i < r.protocols.size(); ++i) {
      if (i > 0) out += ", ";
      out += r.protocols[i];
    }
    out += "\r\n";
  }
  if (r.deflate) {
    out += "Sec-WebSocket-Extensions: ";
    out += format_deflate_offer(*r.deflate);
    out += "\r\n";
  }
  for (const auto& [name, value] : r.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

result<agreement> check_upgrade_response(const upgrade_response& r, std::string_view key,
                                         std::span<const std::string> offered,
                                         const std::optional<deflate_client_settings>& deflate) {
  if (!lists_token(r.upgrade, "websocket")) return invalid("Upgrade does not say websocket");
  if (!lists_token(r.connection, "upgrade")) return invalid("Connection does not list upgrade");
  if (r.accept_fields != 1)
    return invalid(r.accept_fields == 0 ? "no Sec-WebSocket-Accept"
                                        : "more than one Sec-WebSocket-Accept");
  if (r.accept != accept_key(key)) return invalid("Sec-WebSocket-Accept does not match our key");
  return check_agreement(r.protocol, r.protocol_fields, r.extensions, offered, deflate);
}

result<agreement> check_agreement(std::string_view protocol, int protocol_fields,
                                  std::string_view extensions, std::span<const std::string> offered,
                                  const std::optional<deflate_client_settings>& deflate) {
  agreement a;
  if (protocol_fields > 1) return invalid("more than one Sec-WebSocket-Protocol");
  if (protocol_fields == 1) {
    for (std::size_t i = 0; i < offered.size(); ++i)
      if (offered[i] == protocol) a.protocol = static_cast<int>(i);
    if (a.protocol < 0)
      return invalid("Sec-WebSocket-Protocol '" + std::string(protocol) + "' was not offered");
  }
  bool any_extension = false;
  for (char c : extensions)
    any_extension |= c != ',' && c != ' ' && c != '\t';
  if (any_extension) {
    if (!deflate)
      return invalid("Sec-WebSocket-Extensions '" + std::string(extensions) +
                     "' when none was offered");
    auto d = accept_deflate_response(extensions, *deflate);
    if (!d) return invalid(d.error().detail);
    a.deflate = *d;
  }
  return a;
}

}  // namespace lwspp::ws
