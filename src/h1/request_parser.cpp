// lwspp::h1::request_parser: the driver (feed), the phases up to the head
// event, the Content-Length body, the chunked body (h1/chunked_decoder.hpp)
// and the scan that finds where a head ends. Parsing a complete head:
// request_parser_head.cpp.
#include "h1/request_parser.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

namespace lwspp::h1 {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF)
// received before the request line. We ignore this many; more → 400.
constexpr unsigned max_empty_lines = 4;

// held_ keeps its capacity between messages up to this size; a larger buffer
// (from one big split head) is released so an idle connection stays small.
constexpr std::size_t held_keep_capacity = 2048;

constexpr std::size_t add_sat(std::size_t a, std::size_t b) noexcept {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max()
                                                         : a + b;
}

}  // namespace

std::string_view request_head::get(http::header_id id) const noexcept {
  for (const header_field& f : headers) {
    if (f.id == id) return f.value;
  }
  return {};
}

request_parser::request_parser(parser_limits limits, parser_leniency lenient)
    : limits_(limits),
      lenient_(lenient),
      chunked_({.max_chunk_ext = limits.max_chunk_ext,
                .max_trailer_bytes = limits.max_trailer_bytes,
                .max_trailers = limits.max_headers,
                .allow_bare_lf = lenient.allow_bare_lf}),
      max_body_(limits.max_body) {
  clear_message();
}

bool request_parser::idle() const noexcept {
  return phase_ == &request_parser::on_next || phase_ == &request_parser::on_start;
}

void request_parser::reset() {
  // After a complete message the next one has already been cleared for
  // (on_next ran, on_start saw nothing): the common case between requests.
  if (phase_ != &request_parser::on_start || empty_lines_ != 0 || start_cr_) {
    clear_message();
    phase_ = &request_parser::on_start;  // what on_next would do next
  }
  limits_.max_body = max_body_;
  err_status_ = 0;
  err_reason_ = "";
  err_offset_ = 0;
}

void request_parser::clear_message() {
  // Field by field (the vectors keep their capacity): once per request.
  head_.method = head_.target = head_.upgrade_protocol = head_.host = head_.raw = {};
  head_.method_id = http::method_id::other;
  head_.form = target_form::origin;
  head_.version_minor = 1;
  head_.headers.clear();
  head_.chunked = head_.has_content_length = false;
  head_.content_length = 0;
  head_.keep_alive = true;
  head_.expect_continue = head_.upgrade = false;
  chunked_.clear();
  if (held_.capacity() > held_keep_capacity) {
    std::string().swap(held_);
  } else {
    held_.clear();
  }
  offset_ = 0;
  body_left_ = 0;
  scan_ = 0;
  line_start_ = 0;
  line1_end_ = npos;
  section_base_ = 0;
  empty_lines_ = 0;
  start_cr_ = false;
}

// Runs phases until one returns an event, or the phase that ran stayed the
// same (it then consumed all of its input and wants more).
step request_parser::feed(std::string_view in) {
  std::size_t used = 0;
  for (;;) {
    const phase_fn ran = phase_;
    step s = (this->*ran)(in.substr(used));
    assert(s.consumed <= in.size() - used);
    used += s.consumed;
    offset_ += s.consumed;
    if (s.ev != event::need_more) {
      s.consumed = used;
      return s;
    }
    if (phase_ == ran) {
      assert(used == in.size());
      return {event::need_more, used, {}};
    }
  }
}

step request_parser::fail(int status, const char* reason, std::uint64_t offset) {
  err_status_ = status;
  err_reason_ = reason;
  err_offset_ = offset;
  phase_ = &request_parser::on_error;
  return {event::error, 0, {}};
}

step request_parser::on_error(std::string_view) {
  return {event::error, 0, {}};
}

step request_parser::on_next(std::string_view) {
  clear_message();
  phase_ = &request_parser::on_start;
  return {event::need_more, 0, {}};
}

step request_parser::on_start(std::string_view in) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (start_cr_) {
      if (c != '\n') return fail(400, "bare CR before the request line", offset_ + i);
      start_cr_ = false;
    } else if (c == '\r') {
      start_cr_ = true;
      continue;
    } else if (c == '\n') {
      if (!lenient_.allow_bare_lf) return fail(400, "bare LF before the request line", offset_ + i);
    } else {
      phase_ = &request_parser::on_head;
      return {event::need_more, i, {}};
    }
    if (++empty_lines_ > max_empty_lines) {
      return fail(400, "too many empty lines before the request line", offset_ + i);
    }
  }
  return {event::need_more, in.size(), {}};
}

step request_parser::on_head(std::string_view in) {
  if (scan_ == 0) {  // the head starts in this span
    held_.clear();
    section_base_ = offset_;
    line_start_ = 0;
    line1_end_ = npos;
  }
  const std::size_t end = scan_section(in);
  if (end == npos) return {event::error, 0, {}};
  if (end == 0) {
    held_.append(in);
    return {event::need_more, in.size(), {}};
  }
  std::size_t used = 0;
  const std::string_view h = take_section(in, end, used);
  head_.raw = h;
  if (!parse_request_line(h) || !parse_fields(h, line1_end_ + 1, head_.headers) ||
      !apply_fields(h)) {
    return {event::error, 0, {}};
  }
  if (head_.chunked) {
    chunked_.start(offset_ + used, limits_.max_body);
    phase_ = &request_parser::on_chunked;
  } else if (head_.content_length > 0) {
    body_left_ = head_.content_length;
    phase_ = &request_parser::on_body;
  } else {
    phase_ = &request_parser::on_done;
  }
  return {event::head, used, {}};
}

step request_parser::on_body(std::string_view in) {
  if (head_.content_length > limits_.max_body) {  // set_body_limit() lowered it after the head
    const std::uint64_t body_start = offset_ - (head_.content_length - body_left_);
    return fail(413, "body larger than the limit", body_start + limits_.max_body);
  }
  if (in.empty()) return {event::need_more, 0, {}};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, in.size()));
  body_left_ -= n;
  if (body_left_ == 0) phase_ = &request_parser::on_done;
  return {event::body, n, in.substr(0, n)};
}

step request_parser::on_chunked(std::string_view in) {
  const chunked_step s = chunked_.feed(in);
  switch (s.ev) {
    case chunked_event::need_more:
      return {event::need_more, s.consumed, {}};
    case chunked_event::data:
      return {event::body, s.consumed, s.data};
    case chunked_event::end:
      limits_.max_body = max_body_;  // a set_body_limit() was for this message only
      phase_ = &request_parser::on_next;
      return {event::message_end, s.consumed, {}};
    case chunked_event::error:
      break;
  }
  return fail(chunked_.error_status(), chunked_.error_reason(), chunked_.error_offset());
}

step request_parser::on_done(std::string_view) {
  limits_.max_body = max_body_;  // a set_body_limit() was for this message only
  phase_ = &request_parser::on_next;
  return {event::message_end, 0, {}};
}

// Finds the empty line that ends a head (request line, then field lines;
// trailers have their own scan in chunked_decoder). Only the end and the
// size limits are decided here, one LF at a time with memchr; parse_* check
// every byte once the section is complete. Each limit is checked the same way whatever the
// split of the input, so a section gives the same result fed whole or byte
// by byte:
//  - request line: its length without the CR before the LF (or so far,
//    without a CR at the very end) over max_request_line → 414;
//  - field lines and the final empty line over max_header_bytes → 431,
//    decided as soon as that many bytes arrived without the section's end
//    among them.
std::size_t request_parser::scan_section(std::string_view in) {
  const std::string_view prev = held_;
  const std::size_t base = prev.size();  // == scan_: earlier bytes were all scanned
  const std::size_t avail = base + in.size();
  const auto at = [&](std::size_t p) { return p < base ? prev[p] : in[p - base]; };
  assert(scan_ == base);
  std::size_t pos = scan_;
  for (;;) {
    const bool line1 = line1_end_ == npos;
    // The section's last LF must lie before this position.
    const std::size_t limit_end = line1 ? add_sat(limits_.max_request_line, 2)
                                        : add_sat(line1_end_ + 1, limits_.max_header_bytes);
    const std::size_t stop = std::min(avail, limit_end);
    const void* lf = pos < stop ? std::memchr(in.data() + (pos - base), '\n', stop - pos) : nullptr;
    if (lf == nullptr) {
      if (line1) {
        const std::size_t len = avail == 0 ? 0 : avail - (at(avail - 1) == '\r' ? 1 : 0);
        if (avail >= limit_end || len > limits_.max_request_line) {
          fail(414, "request line too long", section_base_ + limits_.max_request_line);
          return npos;
        }
      } else if (avail >= limit_end) {
        fail(431, "header section too large", section_base_ + limit_end);
        return npos;
      }
      scan_ = avail;
      return 0;
    }
    const std::size_t p = base + static_cast<std::size_t>(static_cast<const char*>(lf) - in.data());
    if (line1) {
      const std::size_t len = p - (p > 0 && at(p - 1) == '\r' ? 1 : 0);
      if (len > limits_.max_request_line) {
        fail(414, "request line too long", section_base_ + limits_.max_request_line);
        return npos;
      }
      line1_end_ = p;
    } else if (p == line_start_ || (p == line_start_ + 1 && at(line_start_) == '\r')) {
      return p + 1;
    }
    line_start_ = p + 1;
    pos = p + 1;
  }
}

std::string_view request_parser::take_section(std::string_view in, std::size_t end,
                                              std::size_t& used) {
  scan_ = 0;            // the next section starts afresh
  if (held_.empty()) {  // wholly in this span: no copy
    used = end;
    return in.substr(0, end);
  }
  used = end - held_.size();
  held_.append(in.data(), used);
  return held_;
}

}  // namespace lwspp::h1
