// The HTTP CONNECT tunnel (RFC 9110 §9.3.6), sans-I/O:
//
//   CONNECT host:port HTTP/1.1
//   Host: host:port
//   Proxy-Authorization: Basic ...      (with credentials)
//
// The reply head is read by h1::response_parser (strict). Interim 1xx
// heads are skipped; 2xx means the tunnel is up (its Content-Length or
// Transfer-Encoding is ignored, as §9.3.6 says); 407 (and 401, which
// tinyproxy sends for wrong credentials) is proxy_error::auth_required;
// any other status is proxy_error::refused with
// the status as protocol_code and "HTTP 403 Forbidden" as the detail. The
// handshake consumes exactly the head: what follows it is the destination's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "h1/response_parser.hpp"
#include "lwspp/proxy.hpp"
#include "lwspp/tunnel.hpp"

namespace lwspp::http {

struct connect_request {
  std::string host;  // destination: a name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string user;  // with credentials: Proxy-Authorization: Basic
  std::string password;
  std::string proxy_name;  // "host:port" of the proxy, for messages
};

// Why r cannot be sent (a character that does not belong in an authority
// or a header, a ':' in the user name), or nothing.
std::optional<close_reason> connect_check(const connect_request& r);

class connect_tunnel final : public tunnel {
 public:
  explicit connect_tunnel(connect_request r) : req_(std::move(r)) {}

  std::string_view destination_host() const noexcept override { return req_.host; }
  tunnel_status start(std::string& out) override;
  tunnel_step on_data(std::string_view in, std::string& out) override;
  close_reason failure() const override { return failure_; }
  close_reason on_eof() const override;

 private:
  tunnel_step on_head(std::size_t used);
  tunnel_step fail(proxy_error e, std::string what, int code = 0, std::size_t used = 0);
  std::string authority() const;  // "host:port", "[v6]:port"

  connect_request req_;
  h1::response_parser parser_;
  std::uint64_t received_ = 0;
  close_reason failure_;
};

}  // namespace lwspp::http
