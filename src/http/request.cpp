// lwspp::http::request: lookups over the head the transport filled in.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "http/exchange.hpp"
#include "lwspp/http.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {

namespace {

using util::iequals;

// Form-style decoding of a query component: '+' is a space, %XX a byte, and
// a malformed escape is kept as it is.
std::string decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && util::hex_digit(s[i + 1]) >= 0 &&
               util::hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(util::hex_digit(s[i + 1]) * 16 + util::hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view request::subpath() const noexcept {
  std::string_view p = path_;
  if (prefix_len_ >= p.size()) return "/";
  p.remove_prefix(prefix_len_);
  return p;
}

std::string request::query_param(std::string_view name) const {
  std::string_view q = query_;
  while (!q.empty()) {
    const std::size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (key == name || decode_component(key) == name) return decode_component(value);
  }
  return {};
}

std::string_view request::header(std::string_view name) const noexcept {
  for (const http::header& h : headers_)
    if (iequals(h.name, name)) return h.value;
  return {};
}

address request::peer() const {
  return ex_->conn().peer();
}

connection& request::conn() const noexcept {
  return ex_->conn();
}

void request::bad_state_type() {
  std::fputs("lwspp: request::state_as<T>() called with a second type for one request\n", stderr);
  std::abort();
}

void request::pause_body() {
  ex_->pause_body(true);
}

void request::resume_body() {
  ex_->pause_body(false);
}

}  // namespace lwspp::http
