// lwspp::tunnel — a handshake a client connection runs on its socket after
// the TCP connect and before TLS and its role: a proxy's HTTP CONNECT or
// SOCKS5 exchange (<lwspp/http_proxy.hpp> makes both). Core knows only this
// interface, nothing of HTTP or SOCKS.
//
// A tunnel is sans-I/O: it owns no socket and no timer. The connector
// (connect_options::make_tunnel) drives it:
//   start(out)            the opening bytes go to out
//   on_data(in, out)      bytes from the proxy; replies are appended to out
//   ... until done or failed, all within connect_options::connect_timeout.
// It reads the proxy's bytes with MSG_PEEK and takes off the socket only
// what the tunnel consumed: bytes that follow the handshake (a destination
// that speaks first) stay in the socket for the connection. failure() says
// why it failed; on_eof() why a proxy that closed early did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/error.hpp"

namespace lwspp {

enum class tunnel_status : std::uint8_t {
  need_more,  // every input byte was consumed; wait for more
  done,       // the tunnel is up: `consumed` bytes were the end of the handshake
  failed,     // failure() says why
};

struct tunnel_step {
  tunnel_status status = tunnel_status::need_more;
  std::size_t consumed = 0;  // bytes of the input that belonged to the handshake
};

class tunnel {
 public:
  virtual ~tunnel() = default;

  // The host the tunnel leads to, as a TLS name ("example.com", "::1": no
  // brackets). TLS over the tunnel verifies it and sends it as SNI, unless
  // tls_client_options::server_name says otherwise.
  virtual std::string_view destination_host() const noexcept = 0;
  // The socket is connected to the proxy: append the opening bytes to out.
  // need_more, or failed when the request cannot be made.
  virtual tunnel_status start(std::string& out) = 0;
  // Bytes from the proxy (never empty). Anything to send back goes to out.
  // need_more must consume the whole input.
  virtual tunnel_step on_data(std::string_view in, std::string& out) = 0;
  // After failed: why, as the connection's close_reason.
  virtual close_reason failure() const = 0;
  // The proxy closed the connection before the tunnel was up.
  virtual close_reason on_eof() const {
    return close_reason(error::protocol_error,
                        "the proxy closed the connection during the tunnel handshake");
  }
};

}  // namespace lwspp
