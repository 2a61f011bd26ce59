// lwspp::h1::chunked_decoder: the chunked transfer coding (RFC 9112 §7.1) —
// chunk size lines with their extensions, chunk data and its CRLF, the last
// chunk and the trailer section. Each decision depends on the bytes only,
// never on how they were split.
#include "h1/chunked_decoder.hpp"

#include <algorithm>
#include <cstring>

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

// A trailer copy larger than this is released when the next body starts,
// so that one large trailer section does not stay with the connection.
constexpr std::size_t held_keep_capacity = 2048;

void chunked_decoder::start(std::uint64_t offset, std::uint64_t max_body) noexcept {
  clear();
  offset_ = offset;
  max_body_ = max_body;
}

void chunked_decoder::clear() noexcept {
  phase_ = &chunked_decoder::on_size;
  offset_ = total_ = size_ = left_ = size_offset_ = trailer_base_ = 0;
  ext_len_ = line_start_ = 0;
  digits_ = ext_state_ = 0;
  trailers_.clear();
  if (held_.capacity() > held_keep_capacity) {
    std::string().swap(held_);
  } else {
    held_.clear();
  }
  err_status_ = 0;
  err_reason_ = "";
  err_offset_ = 0;
}

// Runs phases until one returns an event, or the phase that ran stayed the
// same (it then used all of its input and wants more).
chunked_step chunked_decoder::feed(std::string_view in) {
  std::size_t used = 0;
  for (;;) {
    const phase_fn ran = phase_;
    chunked_step s = (this->*ran)(std::string_view(in.data() + used, in.size() - used));
    used += s.consumed;
    offset_ += s.consumed;
    if (s.ev != chunked_event::need_more) {
      s.consumed = used;
      return s;
    }
    if (phase_ == ran) return {chunked_event::need_more, used, {}};
  }
}

chunked_step chunked_decoder::fail(int status, const char* reason, std::uint64_t offset) noexcept {
  err_status_ = status;
  err_reason_ = reason;
  err_offset_ = offset;
  phase_ = &chunked_decoder::on_error;
  return {chunked_event::error, 0, {}};
}

chunked_step chunked_decoder::on_error(std::string_view) {
  return {chunked_event::error, 0, {}};
}

chunked_step chunked_decoder::on_ended(std::string_view) {
  return {chunked_event::end, 0, {}};
}

chunked_step chunked_decoder::on_size(std::string_view in) {
  std::size_t i = 0;
  for (; i < in.size(); ++i) {
    const int d = util::hex_digit(in[i]);
    if (d < 0) break;
    if (digits_ == 0) size_offset_ = offset_ + i;
    if (++digits_ > max_size_digits) return fail(400, "chunk size too large", offset_ + i);
    size_ = (size_ << 4) | static_cast<std::uint64_t>(d);
  }
  if (i == in.size()) return {chunked_event::need_more, i, {}};
  if (digits_ == 0) return fail(400, "invalid chunk size", offset_ + i);
  if (size_ > 0 && (total_ > max_body_ || size_ > max_body_ - total_)) {
    return fail(413, "body larger than the limit", size_offset_);
  }
  ext_state_ = after_size;
  ext_len_ = 0;
  phase_ = &chunked_decoder::on_ext;
  return {chunked_event::need_more, i, {}};
}

chunked_step chunked_decoder::on_ext(std::string_view in) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const ext s = next(static_cast<ext>(ext_state_), in[i]);
    if (s == line_cr) {
      phase_ = &chunked_decoder::on_size_lf;
      return {chunked_event::need_more, i + 1, {}};
    }
    if (s == line_lf) {
      if (!limits_.allow_bare_lf) return fail(400, "bare LF", offset_ + i);
      size_line_done();
      return {chunked_event::need_more, i + 1, {}};
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
  return {chunked_event::need_more, in.size(), {}};
}

chunked_step chunked_decoder::on_size_lf(std::string_view in) {
  if (in.empty()) return {chunked_event::need_more, 0, {}};
  if (in[0] != '\n') return fail(400, "bare CR", offset_ - 1);
  size_line_done();
  return {chunked_event::need_more, 1, {}};
}

void chunked_decoder::size_line_done() noexcept {
  if (size_ == 0) {
    phase_ = &chunked_decoder::on_trailers;
    return;
  }
  left_ = size_;
  total_ += size_;
  phase_ = &chunked_decoder::on_data;
}

chunked_step chunked_decoder::on_data(std::string_view in) {
  if (in.empty()) return {chunked_event::need_more, 0, {}};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
  left_ -= n;
  if (left_ == 0) phase_ = &chunked_decoder::on_data_cr;
  return {chunked_event::data, n, in.substr(0, n)};
}

chunked_step chunked_decoder::on_data_cr(std::string_view in) {
  if (in.empty()) return {chunked_event::need_more, 0, {}};
  if (in[0] == '\n' && limits_.allow_bare_lf) {
    phase_ = &chunked_decoder::on_data_lf;
    return {chunked_event::need_more, 0, {}};
  }
  if (in[0] != '\r') return fail(400, "no CRLF after chunk data", offset_);
  phase_ = &chunked_decoder::on_data_lf;
  return {chunked_event::need_more, 1, {}};
}

chunked_step chunked_decoder::on_data_lf(std::string_view in) {
  if (in.empty()) return {chunked_event::need_more, 0, {}};
  if (in[0] != '\n') return fail(400, "no CRLF after chunk data", offset_);
  size_ = 0;
  digits_ = 0;
  phase_ = &chunked_decoder::on_size;
  return {chunked_event::need_more, 1, {}};
}

// The trailer section: field lines up to an empty line, found one LF at a
// time with memchr, all of it at most max_trailer_bytes — refused as soon
// as that many bytes came without its end. It is copied (it is small and
// rare), so trailers() stays valid whatever the owner does with its spans.
chunked_step chunked_decoder::on_trailers(std::string_view in) {
  const std::size_t base = held_.size();  // bytes of the section before `in`, all scanned
  if (base == 0 && line_start_ == 0) trailer_base_ = offset_;
  const std::size_t limit = limits_.max_trailer_bytes;
  const std::size_t stop = limit > base ? std::min(in.size(), limit - base) : 0;
  const auto at = [&](std::size_t p) { return p < base ? held_[p] : in[p - base]; };
  for (std::size_t pos = 0;;) {
    const void* lf = pos < stop ? std::memchr(in.data() + pos, '\n', stop - pos) : nullptr;
    if (lf == nullptr) {
      if (base + in.size() >= limit) {
        return fail(431, "trailer section too large", trailer_base_ + limit);
      }
      held_.append(in);
      return {chunked_event::need_more, in.size(), {}};
    }
    const std::size_t p = static_cast<std::size_t>(static_cast<const char*>(lf) - in.data());
    const std::size_t line_len = base + p - line_start_;  // before the LF
    if (line_len == 0 || (line_len == 1 && at(line_start_) == '\r')) {
      held_.append(in.data(), p + 1);
      const field_problem fp =
          parse_field_lines(held_, 0, limits_.max_trailers, limits_.allow_bare_lf, trailers_);
      if (fp.reason != nullptr) return fail(fp.status, fp.reason, trailer_base_ + fp.pos);
      phase_ = &chunked_decoder::on_ended;
      return {chunked_event::end, p + 1, {}};
    }
    line_start_ = base + p + 1;
    pos = p + 1;
  }
}

}  // namespace lwspp::h1
