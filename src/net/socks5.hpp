// The SOCKS5 client handshake (RFC 1928), with username/password
// authentication (RFC 1929), as a sans-I/O tunnel:
//
//   greeting  05 n methods...        (00 none; 02 user/password with credentials)
//   method    05 m                   (ff: none acceptable)
//   auth      01 ulen user plen pw   (only when the proxy chose 02)
//   status    01 s                   (0: accepted)
//   connect   05 01 00 atyp addr port (a name goes as a domain name, so the
//                                      proxy resolves it; IP literals as such)
//   reply     05 rep 00 atyp addr port
//
// Every reply is read strictly, a byte at a time, so a reply split anywhere
// gives the same outcome; the first wrong byte fails it. A reply code other
// than 0 fails at once with its meaning ("connection refused by destination
// host"). The handshake consumes exactly its bytes and nothing after them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lwspp/proxy.hpp"
#include "lwspp/tunnel.hpp"

namespace lwspp::detail {

struct socks5_request {
  std::string host;  // destination: a name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string user;  // with a password (or alone): offer username/password
  std::string password;
  std::string proxy_name;  // "host:port" of the proxy, for messages
};

// Why r cannot be sent (a name or a credential over 255 bytes, a control
// character in the name, a password without a user), or nothing.
std::optional<close_reason> socks5_check(const socks5_request& r);

// The meaning of a reply code (RFC 1928 §6), "unassigned reply code" past 8.
std::string_view socks5_reply_text(std::uint8_t code);

class socks5_client final : public tunnel {
 public:
  explicit socks5_client(socks5_request r) : req_(std::move(r)) {}

  std::string_view destination_host() const noexcept override { return req_.host; }
  tunnel_status start(std::string& out) override;
  tunnel_step on_data(std::string_view in, std::string& out) override;
  close_reason failure() const override { return failure_; }
  close_reason on_eof() const override;

 private:
  enum class phase : std::uint8_t { greeting, method, auth, reply, done, failed };
  // Checks the reply byte just added to held_; may send the next request.
  void check_byte(std::string& out);
  void on_method(std::string& out);
  void on_auth_status(std::string& out);
  void on_reply();
  void write_auth(std::string& out) const;
  void write_connect(std::string& out);
  void fail(proxy_error e, std::string what, int code = 0);
  bool offers_auth() const noexcept { return !req_.user.empty() || !req_.password.empty(); }

  socks5_request req_;
  phase phase_ = phase::greeting;
  std::string held_;           // the reply being read
  std::size_t reply_len_ = 0;  // the whole reply's length once known
  close_reason failure_;
};

}  // namespace lwspp::detail
