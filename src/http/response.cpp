// lwspp::http::response: builds the head and hands bodies to the transport
// through the exchange hooks. Nothing a handler passes can split a response:
// header names must be tokens and values may not hold CR, LF or NUL.
#include <charconv>

#include "http/dispatch.hpp"
#include "http/exchange.hpp"
#include "lwspp/http.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {

namespace {

using util::iequals;
using util::is_tchar;

bool valid_name(std::string_view n) noexcept {
  if (n.empty()) return false;
  for (char c : n)
    if (!is_tchar(c)) return false;
  return true;
}

bool valid_value(std::string_view v) noexcept {
  for (char ch : v) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// The framing is the transport's: a handler setting these could desync it.
// Dispatched on the length first: this runs for every header a handler sets.
bool reserved_name(std::string_view n) noexcept {
  switch (n.size()) {
    case 4:
      return iequals(n, "date");
    case 7:
      return iequals(n, "upgrade");
    case 10:
      return iequals(n, "connection") || iequals(n, "keep-alive");
    case 14:
      return iequals(n, "content-length");
    case 17:
      return iequals(n, "transfer-encoding");
    default:
      return false;
  }
}

// The content type of a whole response that set none.
constexpr std::string_view default_type_field = "content-type: text/plain; charset=utf-8\r\n";

}  // namespace

response& response::status(int code) noexcept {
  if (head_sent_ || code < 100 || code > 999) {
    if (ex_) ex_->warn("response::status ignored (head already sent or code out of range)");
    return *this;
  }
  status_ = static_cast<std::uint16_t>(code);
  return *this;
}

namespace {

// Appends "name: value\r\n" to `lines` when the field may be sent: a token
// name, no CR, LF or NUL in the value (nothing a handler passes can split
// the response), and a name `refused` does not claim. Warns and drops it
// otherwise. `what` names the call for the warning.
bool append_field(detail::exchange& ex, std::string& lines, std::string_view name,
                  std::string_view value, bool refused, std::string_view what) {
  if (!valid_name(name) || !valid_value(value)) {
    ex.warn(std::string(what) + " refused: invalid name or a CR, LF or NUL in the value");
    return false;
  }
  if (refused) {
    ex.warn(std::string(what) + " refused: the library's field, or one that cannot go there");
    return false;
  }
  lines.reserve(lines.size() + name.size() + value.size() + 4);
  lines += name;
  lines += std::string_view(": ");
  lines += value;
  lines += std::string_view("\r\n");
  return true;
}

}  // namespace

response& response::header(std::string_view name, std::string_view value) {
  if (head_sent_) {
    ex_->warn("response::header after the head was sent: dropped");
    return *this;
  }
  // Framing headers belong to the library.
  if (append_field(*ex_, fields_, name, value, reserved_name(name), "response::header") &&
      name.size() == 12 && iequals(name, "content-type"))
    has_type_ = true;
  return *this;
}

namespace {

// RFC 9110 §6.5.1: a trailer must not carry what framing, routing,
// authentication or the representation need before the body.
bool trailer_forbidden(std::string_view n) noexcept {
  static constexpr std::string_view names[] = {"host",
                                               "authorization",
                                               "proxy-authorization",
                                               "cookie",
                                               "set-cookie",
                                               "content-type",
                                               "content-encoding",
                                               "content-range",
                                               "cache-control",
                                               "expires",
                                               "location",
                                               "trailer",
                                               "te",
                                               "www-authenticate",
                                               "max-forwards",
                                               "retry-after",
                                               "vary",
                                               "age",
                                               "expect",
                                               "range",
                                               "content-location"};
  for (const std::string_view f : names)
    if (iequals(n, f)) return true;
  return false;
}

}  // namespace

response& response::trailer(std::string_view name, std::string_view value) {
  if (ended_) {
    ex_->warn("response::trailer after the response ended: dropped");
    return *this;
  }
  append_field(*ex_, trailers_, name, value, reserved_name(name) || trailer_forbidden(name),
               "response::trailer");
  return *this;
}

response& response::content_length(std::uint64_t n) noexcept {
  if (!head_sent_) {
    has_length_ = true;
    length_ = n;
  }
  return *this;
}

void response::send(std::string_view body) {
  if (ended_) {
    ex_->warn("response::send after the response ended: dropped");
    return;
  }
  if (!head_sent_) {
    if (!has_type_) {
      fields_ += default_type_field;  // a constant: nothing to check
      has_type_ = true;
    }
    has_length_ = true;
    length_ = body.size();
  }
  ex_->write_body(body, true);
}

void response::send(int code, std::string_view body) {
  status(code);
  send(body);
}

void response::send_error(int code) {
  detail::send_error(*ex_, code);
}

void response::redirect(int code, std::string_view location) {
  status(code);
  header("location", location);
  send(std::string(status_text(code)) + "\n");
}

send_result response::write(std::string_view chunk) {
  if (ended_) {
    ex_->warn("response::write after the response ended: dropped");
    return {send_status::refused, 0, false};
  }
  return ex_->write_body(chunk, false);
}

void response::end() {
  if (ended_) return;
  ex_->write_body({}, true);
}

void response::on_writable(unique_function<void(response&)> fn) {
  ex_->writable_cb = std::move(fn);
  ex_->want_writable();
}

void response::on_abort(unique_function<void()> fn) {
  ex_->abort_cb = std::move(fn);
}

response_handle response::handle() const {
  return response_handle(ex_->conn().handle(), ex_->id);
}

// --- response_handle ----------------------------------------------------------

bool response_handle::dispatch(unique_function<void(response&)> fn) const {
  return conn_.dispatch([id = id_, fn = std::move(fn)](connection& c) mutable {
    auto* host = dynamic_cast<detail::exchange_host*>(&c.current_role());
    if (!host) return;
    detail::exchange* ex = host->find_exchange(id);
    if (ex && !ex->res.ended()) fn(ex->res);
  });
}

bool response_handle::send(int status, std::string body, std::string content_type) const {
  return dispatch([status, body = std::move(body), type = std::move(content_type)](response& r) {
    if (!type.empty()) r.content_type(type);
    r.send(status, body);
  });
}

bool response_handle::write(std::string chunk) const {
  return dispatch([chunk = std::move(chunk)](response& r) { r.write(chunk); });
}

bool response_handle::end() const {
  return dispatch([](response& r) { r.end(); });
}

}  // namespace lwspp::http
