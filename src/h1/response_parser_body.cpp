// lwspp::h1::response_parser: the framing of a response decided from its
// head and the request (RFC 9112 §6.3, RFC 9110 §6.4.1), the connection's
// persistence (RFC 9112 §9.3), and the body phases.
#include <algorithm>

#include "h1/field_values.hpp"
#include "h1/response_parser.hpp"
#include "h1/syntax.hpp"

namespace lwspp::h1 {

using detail::all_of;
using detail::cc_token;
using detail::iequals;
using detail::list_reader;

namespace {

// The transfer codings of a response (RFC 9112 §6.1), in the order applied,
// across every Transfer-Encoding field. Any coding may come (the client
// decides what it can decode); what matters for framing is whether chunked
// is the last one.
struct transfer_codings {
  bool any = false;
  bool chunked_seen = false;
  bool chunked_last = false;

  // Returns nullptr, or the reason with `at` the element at fault.
  const char* add(std::string_view v, std::string_view& at) noexcept {
    std::string_view el;
    bool none = true;
    for (list_reader list(v); list.next(el);) {
      if (el.empty()) continue;
      none = false;
      at = el;
      if (!all_of(el, cc_token)) return "invalid Transfer-Encoding";
      const bool chunked = iequals(el, "chunked");
      if (chunked && chunked_seen) return "chunked applied twice";
      chunked_seen |= chunked;
      chunked_last = chunked;
    }
    any = true;
    at = v;
    return none ? "empty Transfer-Encoding" : nullptr;
  }
};

}  // namespace

// Content-Length, Transfer-Encoding and Connection, checked and combined.
// On a problem fail() was called.
bool response_parser::apply_fields() {
  const auto off = [&](std::string_view v) {
    return static_cast<std::uint64_t>(v.data() - head_.raw.data());
  };
  const bool http11 = head_.version_minor == 1;
  transfer_codings te;
  std::string_view te_value;
  detail::connection_tokens conn;
  for (const header_field& f : head_.headers) {
    const char* bad = nullptr;
    std::string_view at = f.value;
    switch (f.id) {
      case http::header_id::content_length:
        bad = detail::add_content_length(f.value, has_length_, length_, at);
        break;
      case http::header_id::transfer_encoding:
        if (te_value.data() == nullptr) te_value = f.value;
        bad = http11 ? te.add(f.value, at) : "Transfer-Encoding in HTTP/1.0";
        break;
      case http::header_id::connection:
        bad = conn.add(f.value, at);
        break;
      default:
        break;
    }
    if (bad != nullptr) {
      fail(bad, off(at));
      return false;
    }
  }
  const int status = head_.status;
  if (te.any && has_length_) {  // the request smuggling shape (§6.3, point 3)
    fail("both Transfer-Encoding and Content-Length", off(te_value));
    return false;
  }
  if (te.any && (status < 200 || status == 204)) {  // a server MUST NOT send it (§6.1)
    fail("Transfer-Encoding in a 1xx or 204 response", off(te_value));
    return false;
  }
  if (status < 200 || status == 204 || status == 304 || head_request_) {
    framing_ = body_framing::none;  // a Content-Length is the GET's (§6.3, points 1-2)
  } else if (te.any) {
    framing_ = te.chunked_last ? body_framing::chunked : body_framing::until_close;
  } else if (has_length_) {
    framing_ = body_framing::content_length;
  } else {
    framing_ = body_framing::until_close;
  }
  keep_alive_ = conn.persistent(http11) && status != 101 && framing_ != body_framing::until_close;
  return true;
}

// The head is complete (`used` bytes of this span): decide what follows.
response_step response_parser::head_done(std::size_t used) {
  if (!apply_fields()) return {response_event::error, 0, {}};
  const int status = head_.status;
  if (status < 200 && status != 101) {
    phase_ = &response_parser::on_next;  // an interim response: the final one follows
  } else if (framing_ == body_framing::chunked) {
    chunked_.start(offset_ + used);
    phase_ = &response_parser::on_chunked;
  } else if (framing_ == body_framing::until_close) {
    phase_ = &response_parser::on_until_close;
  } else if (framing_ == body_framing::content_length && length_ > 0) {
    left_ = length_;
    phase_ = &response_parser::on_length;
  } else {
    phase_ = &response_parser::on_no_body;
  }
  return {response_event::head, used, {}};
}

response_step response_parser::on_no_body(std::string_view) {
  phase_ = &response_parser::on_ended;
  return {response_event::end, 0, {}};
}

response_step response_parser::on_length(std::string_view in) {
  if (in.empty()) return {response_event::need_more, 0, {}};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
  left_ -= n;
  if (left_ == 0) phase_ = &response_parser::on_no_body;
  return {response_event::body, n, in.substr(0, n)};
}

response_step response_parser::on_chunked(std::string_view in) {
  const chunked_step s = chunked_.feed(in);
  switch (s.ev) {
    case chunked_event::need_more:
      return {response_event::need_more, s.consumed, {}};
    case chunked_event::data:
      return {response_event::body, s.consumed, s.data};
    case chunked_event::end:
      phase_ = &response_parser::on_ended;
      return {response_event::end, s.consumed, {}};
    case chunked_event::error:
      break;
  }
  return fail(chunked_.error_reason(), chunked_.error_offset());
}

response_step response_parser::on_until_close(std::string_view in) {
  if (in.empty()) return {response_event::need_more, 0, {}};
  return {response_event::body, in.size(), in};
}

// The response is complete; the next one needs reset() (it says whether it
// answers a HEAD). Bytes fed before that are an error, not a response.
response_step response_parser::on_ended(std::string_view in) {
  if (in.empty()) return {response_event::need_more, 0, {}};
  return fail("data after the end of the response", offset_);
}

}  // namespace lwspp::h1
