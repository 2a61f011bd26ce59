// lwspp::h1::response_parser: the driver (feed, finish), gathering the head
// a line at a time, the status line (RFC 9112 §4) and the field lines
// (h1/field_lines.hpp). The framing decided from them and the body phases:
// response_parser_body.cpp. Each limit is decided from the bytes seen,
// never from how they were split, so a response gives the same result fed
// whole or byte by byte.
#include "h1/response_parser.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "h1/syntax.hpp"

namespace lwspp::h1 {

using detail::cc_value;
using detail::iequals;
using detail::is;
using detail::is_digit;

namespace {

// Whether `held` then `more` can still begin a status line: "HTTP/" or a
// start of it. A peer that speaks something else (TLS, garbage) fails at
// its first wrong byte instead of after max_status_line bytes, and with
// the same error whichever way its bytes were split.
bool starts_like_http(std::string_view held, std::string_view more) noexcept {
  constexpr std::string_view prefix = "HTTP/";
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const std::size_t j = i - std::min(i, held.size());
    if (i >= held.size() && j >= more.size()) return true;
    if ((i < held.size() ? held[i] : more[j]) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view response_head::get(std::string_view name) const noexcept {
  for (const header_field& f : headers)
    if (iequals(f.name, name)) return f.value;
  return {};
}

std::string_view response_head::get_all(std::string_view name, std::string& store) const {
  std::string_view first;
  bool several = false;
  for (const header_field& f : headers) {
    if (!iequals(f.name, name)) continue;
    if (first.data() == nullptr) {
      first = f.value;
      continue;
    }
    if (!several) store.assign(first);
    several = true;
    store += ", ";
    store.append(f.value);
  }
  return several ? std::string_view(store) : first;
}

std::size_t response_head::count(std::string_view name) const noexcept {
  std::size_t n = 0;
  for (const header_field& f : headers)
    n += iequals(f.name, name) ? 1 : 0;
  return n;
}

response_parser::response_parser(response_limits limits)
    : limits_(limits),
      chunked_({.max_chunk_ext = limits.max_chunk_ext,
                .max_trailer_bytes = limits.max_trailer_bytes,
                .max_trailers = limits.max_headers}) {}

void response_parser::reset(bool head_request) {
  clear_head();
  chunked_.clear();
  err_reason_ = "";
  err_offset_ = 0;
  head_request_ = head_request;
  phase_ = &response_parser::on_head;
}

// A new head: after reset(), and after a 1xx. The copy's buffer and the
// field vector keep their capacity.
void response_parser::clear_head() {
  head_.version_minor = 1;
  head_.status = 0;
  head_.reason = head_.raw = {};
  head_.headers.clear();
  held_.clear();
  line_start_ = 0;
  status_end_ = 0;
  offset_ = length_ = left_ = 0;
  framing_ = body_framing::none;
  has_length_ = keep_alive_ = false;
}

// Runs phases until one returns an event, or the phase that ran stayed the
// same (it then used all of its input and wants more).
response_step response_parser::feed(std::string_view in) {
  std::size_t used = 0;
  for (;;) {
    const phase_fn ran = phase_;
    response_step s = (this->*ran)(std::string_view(in.data() + used, in.size() - used));
    assert(s.consumed <= in.size() - used);
    used += s.consumed;
    offset_ += s.consumed;
    if (s.ev != response_event::need_more) {
      s.consumed = used;
      return s;
    }
    if (phase_ == ran) return {response_event::need_more, used, {}};
  }
}

// What the end of the connection means depends on where it came.
response_step response_parser::finish() {
  if (phase_ == &response_parser::on_until_close || phase_ == &response_parser::on_no_body ||
      phase_ == &response_parser::on_ended) {
    phase_ = &response_parser::on_ended;
    return {response_event::end, 0, {}};
  }
  if (phase_ == &response_parser::on_next || (phase_ == &response_parser::on_head && held_.empty()))
    return fail("connection closed before the response", 0);
  if (phase_ == &response_parser::on_head) return fail("truncated response head", held_.size());
  if (phase_ == &response_parser::on_length) return fail("truncated body", offset_);
  if (phase_ == &response_parser::on_chunked) return fail("truncated chunked body", offset_);
  return {response_event::error, 0, {}};  // on_error
}

response_step response_parser::fail(const char* reason, std::uint64_t offset) {
  err_reason_ = reason;
  err_offset_ = offset;
  phase_ = &response_parser::on_error;
  return {response_event::error, 0, {}};
}

response_step response_parser::on_error(std::string_view) {
  return {response_event::error, 0, {}};
}

// After a 1xx: its head stayed valid until this feed; the next head starts.
response_step response_parser::on_next(std::string_view) {
  clear_head();
  phase_ = &response_parser::on_head;
  return {response_event::need_more, 0, {}};
}

// Takes bytes up to the end of each line; at the empty line the head is
// complete. A line may take bytes only up to its limit: the status line
// max_status_line plus CRLF, the field lines and the empty line together
// max_header_bytes.
response_step response_parser::on_head(std::string_view in) {
  std::size_t used = 0;
  while (used < in.size()) {
    const std::size_t cap =
        status_end_ == 0 ? limits_.max_status_line + 2 : status_end_ + limits_.max_header_bytes;
    const std::size_t room = cap > held_.size() ? cap - held_.size() : 0;
    const std::size_t look = std::min(room, in.size() - used);
    const void* lf = std::memchr(in.data() + used, '\n', look);
    if (lf == nullptr) {
      if (status_end_ == 0 && !starts_like_http(held_, in.substr(used, look)))
        return fail("malformed status line", 0);
      if (look == room)  // as many bytes as the limit allows, and no end among them
        return fail(status_end_ == 0 ? "status line too long" : "header section too large", cap);
      held_.append(in.data() + used, look);
      used += look;
      break;
    }
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) + 1;
    held_.append(in.data() + used, end - used);
    used = end;
    const std::string_view line(held_.data() + line_start_, held_.size() - line_start_);
    if (status_end_ == 0) {
      if (!parse_status_line(line)) return {response_event::error, 0, {}};
      status_end_ = held_.size();
    } else if (line == "\r\n" || line == "\n") {
      head_.raw = held_;  // held_ no longer grows: views into it stay valid
      head_.reason = head_.raw.substr(13, status_end_ - 15);
      const field_problem p =
          parse_field_lines(held_, status_end_, limits_.max_headers, false, head_.headers);
      if (p.reason != nullptr) return fail(p.reason, p.pos);
      return head_done(used);
    }
    line_start_ = held_.size();
  }
  return {response_event::need_more, used, {}};
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF, with
// HTTP/1.0 or HTTP/1.1, a status of 100-599 and a reason of field-value
// characters (RFC 9112 §4).
bool response_parser::parse_status_line(std::string_view line) {
  if (!starts_like_http(line, {})) {
    fail("malformed status line", 0);
    return false;
  }
  if (line.size() < 2 || line[line.size() - 2] != '\r') {
    fail("bare LF", line.size() - 1);
    return false;
  }
  line.remove_suffix(2);
  std::uint8_t minor = 1;
  const detail::version_check v = detail::check_version(line.substr(0, 8), minor);
  if (line.size() < 13 || v == detail::version_check::malformed || line[8] != ' ') {
    fail("malformed status line", 0);
    return false;
  }
  if (v == detail::version_check::unsupported) {
    fail("HTTP version not supported", 5);
    return false;
  }
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) || line[9] < '1' ||
      line[9] > '5' || line[12] != ' ') {
    fail("malformed status code", 9);
    return false;
  }
  const std::string_view reason = line.substr(13);
  for (std::size_t i = 0; i < reason.size(); ++i) {
    if (!is(reason[i], cc_value)) {
      fail(reason[i] == '\r' ? "bare CR" : "invalid character in the reason phrase", 13 + i);
      return false;
    }
  }
  head_.version_minor = minor;
  head_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  return true;  // head_.reason is set once the head is complete (held_ may still move)
}

}  // namespace lwspp::h1
