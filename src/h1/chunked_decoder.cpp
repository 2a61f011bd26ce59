// lwspp::h1::request_parser: the chunked transfer coding (RFC 9112 §7.1) —
// chunk size lines with their extensions, chunk data and its CRLF, the last
// chunk and the trailer section.
#include <algorithm>

#include "h1/request_parser.hpp"
#include "h1/syntax.hpp"
#include "util/ascii.hpp"

namespace lwspp::h1 {

using detail::cc_qdtext;
using detail::cc_token;
using detail::cc_value;
using detail::is;
using detail::is_ows;

namespace {

// At most 16 hex digits (64 bits), leading zeros included; more → 400.
constexpr unsigned max_size_digits = 16;

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
// ext-val   = token / quoted-string
// One state per position in that grammar; bad, cr and lf are outcomes.
enum ext : std::uint8_t {
  after_size,    // right after the hex digits
  bws,           // whitespace, before a ';'
  name_start,    // after ';'
  name,          // in ext-name
  after_name,    // whitespace after ext-name, before '=' or ';'
  value_start,   // after '='
  token_value,   // in a token ext-val
  quoted,        // in a quoted-string
  quoted_pair,   // after a backslash in a quoted-string
  after_quoted,  // after the closing quote
  bad,
  line_cr,
  line_lf,
};

ext next(ext s, char c) noexcept {
  const bool ws = is_ows(c);
  const bool tchar = is(c, cc_token);
  const bool can_end = s == after_size || s == name || s == token_value || s == after_quoted;
  if (can_end && c == '\r') return line_cr;
  if (can_end && c == '\n') return line_lf;
  switch (s) {
    case after_size:
    case bws:
    case after_quoted:
      return c == ';' ? name_start : ws ? bws : bad;
    case name_start:
      return ws ? name_start : tchar ? name : bad;
    case name:
      return tchar ? name : ws ? after_name : c == '=' ? value_start : c == ';' ? name_start : bad;
    case after_name:
      return ws ? after_name : c == '=' ? value_start : c == ';' ? name_start : bad;
    case value_start:
      return ws ? value_start : tchar ? token_value : c == '"' ? quoted : bad;
    case token_value:
      return tchar ? token_value : ws ? bws : c == ';' ? name_start : bad;
    case quoted:
      return c == '"' ? after_quoted : c == '\\' ? quoted_pair : is(c, cc_qdtext) ? quoted : bad;
    case quoted_pair:
      return is(c, cc_value) ? quoted : bad;
    default:
      return bad;
  }
}

}  // namespace

step request_parser::on_chunk_size(std::string_view in) {
  std::size_t i = 0;
  for (; i < in.size(); ++i) {
    const int d = util::hex_digit(in[i]);
    if (d < 0) break;
    if (chunk_digits_ == 0) chunk_offset_ = offset_ + i;
    if (++chunk_digits_ > max_size_digits) return fail(400, "chunk size too large", offset_ + i);
    chunk_size_ = (chunk_size_ << 4) | static_cast<std::uint64_t>(d);
  }
  if (i == in.size()) return {event::need_more, i, {}};
  if (chunk_digits_ == 0) return fail(400, "invalid chunk size", offset_ + i);
  const std::uint64_t limit = limits_.max_body;
  if (chunk_size_ > 0 && (body_total_ > limit || chunk_size_ > limit - body_total_)) {
    return fail(413, "body larger than the limit", chunk_offset_);
  }
  ext_state_ = after_size;
  ext_len_ = 0;
  phase_ = &request_parser::on_chunk_ext;
  return {event::need_more, i, {}};
}

step request_parser::on_chunk_ext(std::string_view in) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const ext s = next(static_cast<ext>(ext_state_), in[i]);
    if (s == line_cr) {
      phase_ = &request_parser::on_chunk_lf;
      return {event::need_more, i + 1, {}};
    }
    if (s == line_lf) {
      if (!lenient_.allow_bare_lf) return fail(400, "bare LF", offset_ + i);
      chunk_line_done();
      return {event::need_more, i + 1, {}};
    }
    if (s == bad) {
      return fail(400, ext_state_ == after_size ? "invalid chunk size" : "invalid chunk extension",
                  offset_ + i);
    }
    if (++ext_len_ > limits_.max_chunk_ext) {
      return fail(400, "chunk extensions too long", offset_ + i);
    }
    ext_state_ = s;
  }
  return {event::need_more, in.size(), {}};
}

step request_parser::on_chunk_lf(std::string_view in) {
  if (in.empty()) return {event::need_more, 0, {}};
  if (in[0] != '\n') return fail(400, "bare CR", offset_ - 1);
  chunk_line_done();
  return {event::need_more, 1, {}};
}

void request_parser::chunk_line_done() {
  if (chunk_size_ == 0) {
    scan_ = 0;
    phase_ = &request_parser::on_trailers;
    return;
  }
  body_left_ = chunk_size_;
  body_total_ += chunk_size_;
  phase_ = &request_parser::on_chunk_data;
}

step request_parser::on_chunk_data(std::string_view in) {
  if (in.empty()) return {event::need_more, 0, {}};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, in.size()));
  body_left_ -= n;
  if (body_left_ == 0) phase_ = &request_parser::on_data_cr;
  return {event::body, n, in.substr(0, n)};
}

step request_parser::on_data_cr(std::string_view in) {
  if (in.empty()) return {event::need_more, 0, {}};
  if (in[0] == '\n' && lenient_.allow_bare_lf) {
    phase_ = &request_parser::on_data_lf;
    return {event::need_more, 0, {}};
  }
  if (in[0] != '\r') return fail(400, "no CRLF after chunk data", offset_);
  phase_ = &request_parser::on_data_lf;
  return {event::need_more, 1, {}};
}

step request_parser::on_data_lf(std::string_view in) {
  if (in.empty()) return {event::need_more, 0, {}};
  if (in[0] != '\n') return fail(400, "no CRLF after chunk data", offset_);
  chunk_size_ = 0;
  chunk_digits_ = 0;
  phase_ = &request_parser::on_chunk_size;
  return {event::need_more, 1, {}};
}

step request_parser::on_trailers(std::string_view in) {
  if (scan_ == 0) {  // the trailer section starts in this span
    held_.clear();   // (it may hold the head: head() views end with this feed)
    section_base_ = offset_;
    line_start_ = 0;
  }
  const std::size_t end = scan_section(in, false);
  if (end == std::string_view::npos) return {event::error, 0, {}};
  if (end == 0) {
    held_.append(in);
    return {event::need_more, in.size(), {}};
  }
  std::size_t used = 0;
  const std::string_view h = take_section(in, end, used);
  if (!parse_fields(h, 0, trailers_)) return {event::error, 0, {}};
  limits_.max_body = max_body_;  // a set_body_limit() was for this message only
  phase_ = &request_parser::on_next;
  return {event::message_end, used, {}};
}

}  // namespace lwspp::h1
