#include "net/socks5.hpp"

#include <arpa/inet.h>

#include <array>

namespace lwspp::detail {
namespace {

constexpr char version = 5;
constexpr char auth_version = 1;  // RFC 1929's sub-negotiation version
constexpr std::uint8_t method_none = 0x00;
constexpr std::uint8_t method_password = 0x02;
constexpr std::uint8_t method_unacceptable = 0xff;
constexpr std::size_t max_field = 255;  // one length byte

std::string hex(std::uint8_t b) {
  static constexpr char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

std::uint8_t byte_at(const std::string& s, std::size_t i) {
  return static_cast<std::uint8_t>(s[i]);
}

void put_field(std::string& out, std::string_view v) {
  out.push_back(static_cast<char>(v.size()));
  out.append(v);
}

}  // namespace

std::string_view socks5_reply_text(std::uint8_t code) {
  static constexpr std::array<std::string_view, 9> texts = {
      "succeeded",
      "general SOCKS server failure",
      "connection not allowed by ruleset",
      "network unreachable",
      "host unreachable",
      "connection refused by destination host",
      "TTL expired",
      "command not supported",
      "address type not supported",
  };
  return code < texts.size() ? texts[code] : "unassigned reply code";
}

std::optional<close_reason> socks5_check(const socks5_request& r) {
  auto bad = [](std::string what) {
    return close_reason(proxy_error::invalid_request, "SOCKS5: " + std::move(what));
  };
  if (r.host.empty()) return bad("no destination host");
  if (r.host.size() > max_field) return bad("the destination host name is longer than 255 bytes");
  for (char ch : r.host)
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f)
      return bad("the destination host name has a space or control character");
  if (r.user.size() > max_field) return bad("the user name is longer than 255 bytes");
  if (r.password.size() > max_field) return bad("the password is longer than 255 bytes");
  if (r.user.empty() && !r.password.empty()) return bad("a password without a user name");
  return std::nullopt;
}

tunnel_status socks5_client::start(std::string& out) {
  if (auto why = socks5_check(req_)) {
    failure_ = std::move(*why);
    phase_ = phase::failed;
    return tunnel_status::failed;
  }
  out.push_back(version);
  if (offers_auth()) {
    out.push_back(2);
    out.push_back(static_cast<char>(method_none));
    out.push_back(static_cast<char>(method_password));
  } else {
    out.push_back(1);
    out.push_back(static_cast<char>(method_none));
  }
  phase_ = phase::method;
  return tunnel_status::need_more;
}

tunnel_step socks5_client::on_data(std::string_view in, std::string& out) {
  std::size_t used = 0;
  while (used < in.size() && phase_ != phase::done && phase_ != phase::failed) {
    held_.push_back(in[used++]);
    check_byte(out);
  }
  if (phase_ == phase::failed) return {tunnel_status::failed, used};
  if (phase_ == phase::done) return {tunnel_status::done, used};
  return {tunnel_status::need_more, used};
}

void socks5_client::check_byte(std::string& out) {
  switch (phase_) {
    case phase::method:
      return on_method(out);
    case phase::auth:
      return on_auth_status(out);
    case phase::reply:
      return on_reply();
    default:
      return;
  }
}

void socks5_client::on_method(std::string& out) {
  if (held_.size() == 1) {
    if (held_[0] != version)
      fail(proxy_error::bad_reply,
           "version " + hex(byte_at(held_, 0)) + " in the method selection");
    return;
  }
  const std::uint8_t m = byte_at(held_, 1);
  held_.clear();
  if (m == method_none) {
    phase_ = phase::reply;
    return write_connect(out);
  }
  if (m == method_password && offers_auth()) {
    phase_ = phase::auth;
    return write_auth(out);
  }
  if (m == method_unacceptable)
    return fail(proxy_error::no_acceptable_auth,
                offers_auth() ? "offered none and username/password"
                              : "offered none (the proxy may want a username and password)");
  fail(proxy_error::bad_reply, "the proxy chose method " + hex(m) + ", which was not offered");
}

void socks5_client::on_auth_status(std::string& out) {
  if (held_.size() == 1) {
    if (held_[0] != auth_version)
      fail(proxy_error::bad_reply, "version " + hex(byte_at(held_, 0)) + " in the auth status");
    return;
  }
  const std::uint8_t status = byte_at(held_, 1);
  held_.clear();
  if (status != 0)
    return fail(proxy_error::auth_failed,
                "user \"" + req_.user + "\" refused (status " + std::to_string(status) + ")");
  phase_ = phase::reply;
  write_connect(out);
}

void socks5_client::on_reply() {
  const std::size_t n = held_.size();
  const std::uint8_t b = byte_at(held_, n - 1);
  switch (n) {
    case 1:
      if (b != version) fail(proxy_error::bad_reply, "version " + hex(b) + " in the reply");
      return;
    case 2:
      // The rest of a failure reply says nothing more: fail at once.
      if (b != 0)
        fail(proxy_error::socks_failure,
             std::string(socks5_reply_text(b)) + " (reply " + std::to_string(b) + ")", b);
      return;
    case 3:
      if (b != 0) fail(proxy_error::bad_reply, "reserved byte " + hex(b) + " in the reply");
      return;
    case 4:
      if (b == 1) {
        reply_len_ = 4 + 4 + 2;
      } else if (b == 4) {
        reply_len_ = 4 + 16 + 2;
      } else if (b != 3) {
        fail(proxy_error::bad_reply, "address type " + hex(b) + " in the reply");
      }
      return;
    case 5:
      if (byte_at(held_, 3) == 3) {
        if (b == 0) return fail(proxy_error::bad_reply, "an empty bound name in the reply");
        reply_len_ = 4 + 1 + b + 2;
      }
      break;
    default:
      break;
  }
  if (n == reply_len_) phase_ = phase::done;
}

void socks5_client::write_auth(std::string& out) const {
  out.push_back(auth_version);
  put_field(out, req_.user);
  put_field(out, req_.password);
}

void socks5_client::write_connect(std::string& out) {
  out.push_back(version);
  out.push_back(1);  // CONNECT
  out.push_back(0);  // reserved
  unsigned char ip[16];
  if (::inet_pton(AF_INET, req_.host.c_str(), ip) == 1) {
    out.push_back(1);
    out.append(reinterpret_cast<const char*>(ip), 4);
  } else if (::inet_pton(AF_INET6, req_.host.c_str(), ip) == 1) {
    out.push_back(4);
    out.append(reinterpret_cast<const char*>(ip), 16);
  } else {
    out.push_back(3);  // a domain name: the proxy resolves it
    put_field(out, req_.host);
  }
  out.push_back(static_cast<char>(req_.port >> 8));
  out.push_back(static_cast<char>(req_.port & 0xff));
}

void socks5_client::fail(proxy_error e, std::string what, int code) {
  phase_ = phase::failed;
  failure_ = close_reason(e,
                          what + "; proxy " + req_.proxy_name + ", destination " + req_.host + ":" +
                              std::to_string(req_.port),
                          code);
}

close_reason socks5_client::on_eof() const {
  static constexpr std::string_view waiting[] = {"before the greeting", "the method selection",
                                                 "the auth status", "the connect reply"};
  const auto i = static_cast<std::size_t>(phase_);
  return close_reason(proxy_error::closed, "SOCKS5 proxy " + req_.proxy_name +
                                               " closed the connection while we waited for " +
                                               std::string(i < 4 ? waiting[i] : "nothing"));
}

}  // namespace lwspp::detail
