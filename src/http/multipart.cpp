// multipart/form-data (RFC 7578 over RFC 2046 §5.1): the boundary from a
// Content-Type value and the streaming multipart_parser.
//
// The delimiter search is linear. The delimiter is "\r\n--" + boundary and
// a boundary holds no CR, so the only CR of the delimiter is its first
// byte: after a mismatch no shorter match can be in progress unless the
// mismatching byte is itself a CR. The bytes held back between two feeds
// are therefore always a prefix of the delimiter: they are not copied, and
// when they turn out to be data they are delivered from the delimiter
// string itself. The body is treated as if it started with CRLF, so that
// a first boundary at byte 0 needs no special case.
#include <algorithm>
#include <cstring>
#include <string>

#include "lwspp/http_form.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {
namespace {

using util::iequals;
using util::is_tchar;

bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_bchar(char c) noexcept {  // RFC 2046 bchars
  return is_alnum(c) || (c != '\0' && std::strchr("'()+_,-./:=? ", c) != nullptr);
}

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

// A header value or quoted text byte: anything but controls (HTAB allowed).
bool is_text(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return c == '\t' || (u >= 0x20 && u != 0x7f);
}

bool valid_boundary(std::string_view b) noexcept {
  return !b.empty() && b.size() <= 70 && b.back() != ' ' &&
         std::all_of(b.begin(), b.end(), is_bchar);
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string_view token_at(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_tchar(s[i]))
    ++i;
  return s.substr(start, i - start);
}

// A quoted-string at s[i] == '"'. A backslash escapes only '"' and '\';
// before any other byte it is kept (old browsers sent Windows paths,
// C:\dir\a.txt, unescaped).
bool quoted_at(std::string_view s, std::size_t& i, std::string& out) {
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      ++i;
      return true;
    }
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
      out.push_back(s[++i]);
    } else if (is_text(c)) {
      out.push_back(c);
    } else {
      return false;
    }
  }
  return false;  // no closing quote
}

// Parameters after a media type or disposition type:
// *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] ) OWS.
template <class Fn>
bool parse_params(std::string_view s, std::size_t i, Fn&& fn) {
  for (;;) {
    while (i < s.size() && is_ows(s[i]))
      ++i;
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    while (i < s.size() && is_ows(s[i]))
      ++i;
    if (i == s.size() || s[i] == ';') continue;
    const std::string_view name = token_at(s, i);
    if (name.empty() || i == s.size() || s[i] != '=') return false;
    ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      if (!quoted_at(s, i, value)) return false;
    } else {
      const std::string_view tok = token_at(s, i);
      if (tok.empty()) return false;
      value = tok;
    }
    if (!fn(name, std::move(value))) return false;
  }
}

// The escapes of the HTML form submission algorithm: %22 %0D %0A.
std::string html_unescape(std::string s) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < s.size(); ++r) {
    if (s[r] == '%' && r + 2 < s.size()) {
      const std::string_view esc = std::string_view(s).substr(r + 1, 2);
      char c = 0;
      if (esc == "22") c = '"';
      if (iequals(esc, "0d")) c = '\r';
      if (iequals(esc, "0a")) c = '\n';
      if (c != 0) {
        s[w++] = c;
        r += 2;
        continue;
      }
    }
    s[w++] = s[r];
  }
  s.resize(w);
  return s;
}

}  // namespace

result<std::string> boundary_from_content_type(std::string_view ct) {
  std::size_t i = 0;
  while (i < ct.size() && is_ows(ct[i]))
    ++i;
  const std::string_view type = token_at(ct, i);
  if (i == ct.size() || ct[i] != '/') return error_info(form_error::not_form_data, std::string(ct));
  ++i;
  const std::string_view subtype = token_at(ct, i);
  if (!iequals(type, "multipart") || !iequals(subtype, "form-data")) {
    return error_info(form_error::not_form_data, std::string(ct));
  }
  std::string boundary;
  bool seen = false;
  const bool ok = parse_params(ct, i, [&](std::string_view name, std::string value) {
    if (!iequals(name, "boundary")) return true;
    if (seen) return false;
    seen = true;
    boundary = std::move(value);
    return true;
  });
  if (!ok) return error_info(form_error::bad_boundary, "unparsable parameters: " + std::string(ct));
  if (!seen) return error_info(form_error::bad_boundary, "no boundary parameter");
  if (!valid_boundary(boundary)) {
    return error_info(form_error::bad_boundary, "not 1-70 RFC 2046 characters: " + boundary);
  }
  return boundary;
}

multipart_parser::multipart_parser(std::string_view boundary, multipart_handlers handlers,
                                   multipart_limits limits)
    : needle_("\r\n--"), handlers_(std::move(handlers)), limits_(limits) {
  needle_ += boundary;
  matched_ = 2;  // the virtual CRLF before the body
  if (!valid_boundary(boundary)) fail(form_error::bad_boundary, 0, "invalid boundary");
}

bool multipart_parser::fail(form_error e, std::uint64_t at, std::string_view what) {
  state_ = state::failed;
  error_ = error_info(e, "multipart: " + std::string(what) + " at byte " + std::to_string(at));
  return false;
}

void multipart_parser::cancel(error_info why) {
  if (!why.code) why = error_info(form_error::cancelled, "cancelled by a handler");
  error_ = std::move(why);
  state_ = state::failed;
}

result<void> multipart_parser::feed(std::string_view chunk) {
  if (state_ == state::failed) return error_;
  std::string_view in = chunk;
  const bool over = limits_.max_total_size - std::min(offset_, limits_.max_total_size) < in.size();
  if (over) in = in.substr(0, static_cast<std::size_t>(limits_.max_total_size - offset_));
  std::size_t pos = 0;
  while (pos < in.size() && state_ != state::failed) {
    switch (state_) {
      case state::preamble:
      case state::data:
        pos = scan_delimiter(in, pos);
        break;
      case state::headers:
        pos = scan_headers(in, pos);
        break;
      case state::epilogue:
        offset_ += in.size() - pos;
        pos = in.size();
        break;
      default:
        on_delimiter_char(in[pos]);
        ++pos;
        offset_ += 1;
        break;
    }
  }
  if (state_ == state::failed) return error_;
  if (over) {
    fail(form_error::body_too_large, limits_.max_total_size, "body larger than max_total_size");
    return error_;
  }
  return {};
}

result<void> multipart_parser::finish() {
  if (state_ == state::failed) return error_;
  if (state_ != state::epilogue) {
    fail(form_error::incomplete, offset_, "body ended before the close delimiter");
    return error_;
  }
  return {};
}

// Preamble and data: deliver data up to the next delimiter (or up to the
// bytes that may start one), and stop after a delimiter. Advances offset_.
std::size_t multipart_parser::scan_delimiter(std::string_view in, std::size_t pos) {
  const std::uint64_t base = offset_ - pos;  // offset of in[0]
  const char* d = in.data();
  std::size_t carried = matched_;  // held back from earlier feeds: needle_[0, carried)
  std::size_t start = pos;         // data in this chunk starts here
  std::size_t match = pos;         // where the in-chunk part of the current match starts
  std::size_t i = pos;
  while (i < in.size()) {
    if (matched_ == 0) {
      const void* cr = std::memchr(d + i, '\r', in.size() - i);
      if (cr == nullptr) {
        i = in.size();
        break;
      }
      i = static_cast<std::size_t>(static_cast<const char*>(cr) - d);
      match = i++;
      matched_ = 1;
      continue;
    }
    if (d[i] == needle_[matched_]) {
      ++i;
      if (++matched_ < needle_.size()) continue;
      // A delimiter: the data ends where it began.
      matched_ = 0;
      offset_ = base + i;
      if (!deliver(in.substr(start, match - start), base + start)) return i;
      state_ = state::boundary;
      return i;
    }
    // Mismatch: what was held is data; d[i] is looked at again.
    if (carried != 0) {
      if (!deliver(std::string_view(needle_).substr(0, carried), base + pos - carried)) return i;
      carried = 0;
    }
    matched_ = 0;
  }
  offset_ = base + in.size();
  const std::size_t end = matched_ != 0 ? match : in.size();
  deliver(in.substr(start, end - start), base + start);
  return in.size();
}

bool multipart_parser::deliver(std::string_view data, std::uint64_t at) {
  if (state_ != state::data || data.empty()) return state_ != state::failed;
  if (data.size() > limits_.max_part_size - part_size_) {
    const auto allowed = static_cast<std::size_t>(limits_.max_part_size - part_size_);
    if (allowed != 0 && handlers_.on_part_data) handlers_.on_part_data(data.substr(0, allowed));
    if (state_ == state::failed) return false;
    return fail(form_error::part_too_large, at + allowed, "part larger than max_part_size");
  }
  part_size_ += data.size();
  if (handlers_.on_part_data) handlers_.on_part_data(data);
  return state_ != state::failed;
}

// After "--boundary": "--" closes the body; else padding, then CRLF.
bool multipart_parser::on_delimiter_char(char c) {
  const std::uint64_t at = offset_;
  switch (state_) {
    case state::boundary:
      if (c == '-') {
        state_ = state::close_dash;
      } else if (is_ows(c)) {
        state_ = state::padding;
      } else if (c == '\r') {
        state_ = state::padding_cr;
      } else {
        return fail(form_error::malformed, at, "boundary not followed by CRLF or \"--\"");
      }
      return true;
    case state::close_dash:
      if (c != '-') return fail(form_error::malformed, at, "boundary followed by a single '-'");
      if (in_part_) {
        in_part_ = false;
        if (handlers_.on_part_end) handlers_.on_part_end();
        if (state_ == state::failed) return false;
      }
      state_ = state::epilogue;
      return true;
    case state::padding:
      if (is_ows(c)) return true;
      if (c == '\r') {
        state_ = state::padding_cr;
        return true;
      }
      return fail(form_error::malformed, at, "boundary line not ended by CRLF");
    case state::padding_cr:
      if (c != '\n') return fail(form_error::malformed, at, "CR without LF after boundary");
      if (in_part_) {
        in_part_ = false;
        if (handlers_.on_part_end) handlers_.on_part_end();
        if (state_ == state::failed) return false;
      }
      if (parts_ >= limits_.max_parts) {
        return fail(form_error::too_many_parts, at + 1, "more than max_parts parts");
      }
      ++parts_;
      part_ = part_info{};
      line_.clear();
      header_bytes_ = 0;
      state_ = state::headers;
      return true;
    default:
      return false;
  }
}

// Part headers, one line at a time (only the current line is kept).
std::size_t multipart_parser::scan_headers(std::string_view in, std::size_t pos) {
  while (pos < in.size() && state_ == state::headers) {
    const void* nl = std::memchr(in.data() + pos, '\n', in.size() - pos);
    const std::size_t end =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - in.data()) + 1
                      : in.size();
    const std::size_t n = end - pos;
    if (n > limits_.max_part_header_bytes - header_bytes_) {
      fail(form_error::part_header_too_large,
           offset_ + (limits_.max_part_header_bytes - header_bytes_),
           "part header section larger than max_part_header_bytes");
      return end;
    }
    header_bytes_ += n;
    line_.append(in.substr(pos, n));
    offset_ += n;
    pos = end;
    if (nl != nullptr) header_line_done();
  }
  return pos;
}

bool multipart_parser::header_line_done() {
  const std::uint64_t at = offset_ - line_.size();  // offset of the line's first byte
  if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
    return fail(form_error::malformed, offset_ - 1, "part header line ended by LF without CR");
  }
  const std::string_view line = std::string_view(line_).substr(0, line_.size() - 2);
  if (line.empty()) return begin_part();
  if (is_ows(line.front())) return fail(form_error::malformed, at, "folded part header line");
  const std::size_t colon = line.find(':');
  std::size_t i = 0;
  const std::string_view name = token_at(line, i);
  if (colon == std::string_view::npos || name.empty() || i != colon) {
    return fail(form_error::malformed, at + i, "part header line is not \"name: value\"");
  }
  const std::string_view value = line.substr(colon + 1);
  for (std::size_t k = 0; k < value.size(); ++k) {
    if (!is_text(value[k])) {
      return fail(form_error::malformed, at + colon + 1 + k, "control character in part header");
    }
  }
  part_.headers.push_back(part_header{std::string(name), std::string(trim_ows(value))});
  line_.clear();
  return true;
}

// The empty line after the part's headers: Content-Disposition decides.
bool multipart_parser::begin_part() {
  const std::uint64_t at = offset_;
  const part_header* disposition = nullptr;
  const part_header* type = nullptr;
  for (const part_header& h : part_.headers) {
    const bool is_disp = iequals(h.name, "content-disposition");
    const bool is_type = iequals(h.name, "content-type");
    if ((is_disp && disposition != nullptr) || (is_type && type != nullptr)) {
      return fail(form_error::malformed, at, "part header given twice: " + h.name);
    }
    if (is_disp) disposition = &h;
    if (is_type) type = &h;
  }
  if (disposition == nullptr) {
    return fail(form_error::missing_disposition, at, "part without Content-Disposition");
  }
  const std::string_view v = disposition->value;
  std::size_t i = 0;
  if (!iequals(token_at(v, i), "form-data")) {
    return fail(form_error::missing_disposition, at, "Content-Disposition is not form-data");
  }
  bool has_name = false;
  const bool ok = parse_params(v, i, [&](std::string_view name, std::string value) {
    std::string* target = nullptr;
    if (iequals(name, "name")) {
      if (has_name) return false;
      has_name = true;
      target = &part_.name;
    } else if (iequals(name, "filename")) {
      if (part_.has_filename) return false;
      part_.has_filename = true;
      target = &part_.filename;
    } else {
      return true;  // filename* and others: in headers only
    }
    *target = html_unescape(std::move(value));
    return true;
  });
  if (!ok) return fail(form_error::malformed, at, "unparsable Content-Disposition parameters");
  if (!has_name) return fail(form_error::missing_disposition, at, "form-data part without a name");
  if (type != nullptr) part_.content_type = type->value;
  line_.clear();
  part_size_ = 0;
  in_part_ = true;
  state_ = state::data;
  matched_ = 0;
  if (handlers_.on_part_begin) handlers_.on_part_begin(part_);
  return state_ != state::failed;
}

}  // namespace lwspp::http
