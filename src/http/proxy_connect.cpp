#include "http/proxy_connect.hpp"

#include "lwspp/http.hpp"
#include "util/base64.hpp"

namespace lwspp::http {
namespace {

// Bytes that never belong in an authority we send or in a header value.
bool unsafe(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c <= 0x20 || c == 0x7f;
}

bool has_unsafe(std::string_view s) {
  for (char ch : s)
    if (unsafe(ch)) return true;
  return false;
}

}  // namespace

std::optional<close_reason> connect_check(const connect_request& r) {
  auto bad = [](std::string what) {
    return close_reason(proxy_error::invalid_request, "CONNECT: " + std::move(what));
  };
  if (r.host.empty()) return bad("no destination host");
  if (has_unsafe(r.host) || r.host.find_first_of("/?#@[]") != std::string::npos)
    return bad("the destination host \"" + r.host + "\" is not a host name or IP literal");
  if (has_unsafe(r.user) || r.user.find(':') != std::string::npos)
    return bad("the user name has a ':', a space or a control character");
  for (char ch : r.password)
    if (ch == '\r' || ch == '\n' || ch == '\0')
      return bad("the password has a CR, LF or NUL");  // Basic encodes the rest
  return std::nullopt;
}

std::string connect_tunnel::authority() const {
  const bool v6 = req_.host.find(':') != std::string::npos;
  return (v6 ? "[" + req_.host + "]" : req_.host) + ":" + std::to_string(req_.port);
}

tunnel_status connect_tunnel::start(std::string& out) {
  if (auto why = connect_check(req_)) {
    failure_ = std::move(*why);
    return tunnel_status::failed;
  }
  const std::string auth = authority();
  out += "CONNECT " + auth + " HTTP/1.1\r\nHost: " + auth + "\r\n";
  if (!req_.user.empty() || !req_.password.empty()) {
    out += "Proxy-Authorization: Basic ";
    util::base64_encode(req_.user + ":" + req_.password, out);
    out += "\r\n";
  }
  out += "\r\n";
  return tunnel_status::need_more;
}

tunnel_step connect_tunnel::on_data(std::string_view in, std::string&) {
  std::size_t used = 0;
  while (used < in.size()) {
    const h1::response_step s = parser_.feed(in.substr(used));
    used += s.consumed;
    received_ += s.consumed;
    if (s.ev == h1::response_event::error)
      return fail(proxy_error::bad_reply,
                  "the reply to CONNECT " + authority() + ": " +
                      std::string(parser_.error_reason()) + " at byte " +
                      std::to_string(parser_.error_offset()),
                  0, used);
    if (s.ev == h1::response_event::head) {
      const tunnel_step step = on_head(used);
      if (step.status != tunnel_status::need_more) return step;
    }
  }
  return {tunnel_status::need_more, used};
}

tunnel_step connect_tunnel::on_head(std::size_t used) {
  const h1::response_head& h = parser_.head();
  const int status = h.status;
  if (status >= 200 && status < 300) return {tunnel_status::done, used};
  if (status < 200 && status != 101) {  // interim: the final answer follows
    parser_.reset();
    return {tunnel_status::need_more, used};
  }
  std::string what = "HTTP " + std::to_string(status) + " " +
                     std::string(h.reason.empty() ? status_text(status) : h.reason);
  what += " from proxy " + req_.proxy_name + " for CONNECT " + authority();
  // 401 cannot come from the destination (there is no tunnel yet): it is
  // the proxy refusing credentials, as tinyproxy does instead of 407.
  if (status == 407 || status == 401) {
    const bool sent = !req_.user.empty() || !req_.password.empty();
    what += sent ? " (the credentials given were refused)" : " (no credentials were given)";
    if (auto challenge = h.get("Proxy-Authenticate"); !challenge.empty())
      what += "; Proxy-Authenticate: " + std::string(challenge.substr(0, 200));
    return fail(proxy_error::auth_required, std::move(what), status, used);
  }
  return fail(proxy_error::refused, std::move(what), status, used);
}

tunnel_step connect_tunnel::fail(proxy_error e, std::string what, int code, std::size_t used) {
  failure_ = close_reason(e, std::move(what), code);
  return {tunnel_status::failed, used};
}

close_reason connect_tunnel::on_eof() const {
  return close_reason(proxy_error::closed,
                      "proxy " + req_.proxy_name + " closed the connection " +
                          (received_ ? "in the middle of its reply" : "without a reply") +
                          " to CONNECT " + authority());
}

}  // namespace lwspp::http
