// lwspp::h1::request_parser: parsing a complete head (RFC 9112 §3, §5) and
// deciding the framing and connection semantics from its fields (§6, §9,
// RFC 9110 §7.2, §10.1.1). The section was delimited by scan_section, so the
// request line ends at line1_end_ and the section ends with an empty line.
#include "h1/request_parser.hpp"

#include <algorithm>

#include "h1/field_values.hpp"
#include "h1/syntax.hpp"

namespace lwspp::h1 {

using detail::add_content_length;
using detail::all_of;
using detail::cc_host;
using detail::cc_target;
using detail::cc_target_no_hash;
using detail::cc_token;
using detail::cc_value;
using detail::connection_tokens;
using detail::iequals;
using detail::is;
using detail::is_digit;
using detail::list_reader;

namespace {

constexpr bool is_alpha(char c) noexcept {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

// authority-form (§3.2.3): uri-host ":" port, no userinfo.
bool is_authority(std::string_view t) noexcept {
  const std::size_t colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view port = t.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  return all_of(t.substr(0, colon), cc_host);
}

// absolute-form (§3.2.2): scheme "://" authority [ path-abempty ] [ "?" query ],
// with a non-empty authority and no userinfo (RFC 9110 §4.2.4).
bool is_absolute(std::string_view t) noexcept {
  if (t.empty() || !is_alpha(t[0])) return false;
  std::size_t i = 1;
  while (i < t.size() &&
         (is_alpha(t[i]) || is_digit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.')) {
    ++i;
  }
  if (t.substr(i, 3) != "://") return false;
  i += 3;
  const std::size_t end = std::min(t.find_first_of("/?", i), t.size());
  return end > i && all_of(t.substr(i, end - i), cc_host);
}

// Why a field is refused: a fixed reason, where, and the status.
struct problem {
  const char* reason = nullptr;
  std::string_view at;
  int status = 400;
};

// Transfer-Encoding (RFC 9112 §6.1): only "chunked", once; any other coding
// is not implemented (501).
problem add_transfer_codings(std::string_view v, request_head& h) {
  std::string_view el;
  bool any = false;
  for (list_reader list(v); list.next(el);) {
    if (el.empty()) continue;
    any = true;
    if (!all_of(el, cc_token)) return {"invalid Transfer-Encoding", el};
    if (!iequals(el, "chunked")) return {"unsupported transfer coding", el, 501};
    if (h.chunked) return {"chunked applied twice", el};
    h.chunked = true;
  }
  if (!any) return {"empty Transfer-Encoding", v};
  return {};
}

}  // namespace

bool request_parser::parse_request_line(std::string_view h) {
  // Views are built from data() and a length: substr() checks its bounds
  // and is not inlined, and this runs once per request.
  const std::string_view line(h.data(), line1_end_);
  const std::size_t n = line.size();
  std::size_t i = 0;
  while (i < n && is(line[i], cc_token))
    ++i;
  if (i == 0 || i == n || line[i] != ' ') {
    fail(400, "invalid method", section_base_ + i);
    return false;
  }
  const std::string_view method(line.data(), i);
  const std::size_t t0 = ++i;
  while (i < n && is(line[i], cc_target_no_hash))
    ++i;
  std::size_t hash =
      std::string_view::npos;  // a fragment: refused below, once the line is known valid
  if (i < n && line[i] == '#') {
    hash = i;
    while (i < n && is(line[i], cc_target))
      ++i;
  }
  if (i == t0 || i == n || line[i] != ' ') {
    fail(400, "invalid request-target", section_base_ + i);
    return false;
  }
  const std::string_view target(line.data() + t0, i - t0);
  const std::size_t v0 = i + 1;
  std::string_view version(line.data() + v0, n - v0);
  const bool crlf = !version.empty() && version.back() == '\r';
  if (crlf) version.remove_suffix(1);
  std::uint8_t minor = 1;
  switch (detail::check_version(version, minor)) {
    case detail::version_check::malformed:
      fail(400, "malformed HTTP version", section_base_ + v0);
      return false;
    case detail::version_check::unsupported:
      fail(505, "HTTP version not supported", section_base_ + v0);
      return false;
    case detail::version_check::ok:
      break;
  }
  if (!crlf && !lenient_.allow_bare_lf) {
    fail(400, "bare LF", section_base_ + line1_end_);
    return false;
  }
  head_.method = method;
  head_.method_id = http::lookup_method(method);
  head_.target = target;
  head_.version_minor = minor;

  if (hash != std::string_view::npos) {
    fail(400, "fragment in request-target", section_base_ + hash);
    return false;
  }
  const char* bad = nullptr;
  if (target.size() == 1 && target[0] == '*') {
    head_.form = target_form::asterisk;
    if (head_.method_id != http::method_id::options) bad = "asterisk-form is only for OPTIONS";
  } else if (head_.method_id == http::method_id::connect) {
    head_.form = target_form::authority;
    if (!is_authority(target)) bad = "CONNECT needs authority-form host:port";
  } else if (target[0] == '/') {
    head_.form = target_form::origin;
  } else if (is_absolute(target)) {
    head_.form = target_form::absolute;
  } else {
    bad = "invalid request-target";
  }
  if (bad != nullptr) {
    fail(400, bad, section_base_ + t0);
    return false;
  }
  return true;
}

// Field lines from `pos` up to the empty line ending the section (§5).
bool request_parser::parse_fields(std::string_view h, std::size_t pos,
                                  std::vector<header_field>& out) {
  const field_problem p =
      parse_field_lines(h, pos, limits_.max_headers, lenient_.allow_bare_lf, out);
  if (p.reason == nullptr) return true;
  fail(p.status, p.reason, section_base_ + p.pos);
  return false;
}

// Framing (§6.1-6.3), Host (§3.2), Connection (§9.3), Expect (RFC 9110 §10.1.1).
bool request_parser::apply_fields(std::string_view h) {
  const auto off = [&](std::string_view v) {
    return section_base_ + static_cast<std::uint64_t>(v.data() - h.data());
  };
  const bool http11 = head_.version_minor == 1;
  std::size_t hosts = 0;
  std::string_view te_value;
  std::string_view cl_value;
  connection_tokens conn;
  bool has_upgrade = false;
  bool expect = false;
  problem bad;
  for (const header_field& f : head_.headers) {
    switch (f.id) {
      case http::header_id::host:
        if (++hosts > 1) {
          bad = {"more than one Host", f.name};
        } else if (!all_of(f.value, cc_host)) {
          bad = {"invalid Host", f.value};
        }
        head_.host = f.value;
        break;
      case http::header_id::content_length:
        cl_value = f.value;
        bad.reason =
            add_content_length(f.value, head_.has_content_length, head_.content_length, bad.at);
        break;
      case http::header_id::transfer_encoding:
        te_value = f.value;
        bad = http11 ? add_transfer_codings(f.value, head_)
                     : problem{"Transfer-Encoding in HTTP/1.0", f.value};
        break;
      case http::header_id::connection:
        bad.reason = conn.add(f.value, bad.at);
        break;
      case http::header_id::expect:
        if (!iequals(f.value, "100-continue")) bad = {"unsupported expectation", f.value, 417};
        expect = true;
        break;
      case http::header_id::upgrade:
        if (!has_upgrade) head_.upgrade_protocol = f.value;
        has_upgrade = true;
        break;
      default:
        break;
    }
    if (bad.reason != nullptr) {
      fail(bad.status, bad.reason, off(bad.at));
      return false;
    }
  }
  if (head_.chunked && head_.has_content_length) {
    fail(400, "both Transfer-Encoding and Content-Length", off(te_value));
    return false;
  }
  if (http11 && hosts == 0) {
    const std::size_t last_line = h.size() - (h.size() >= 2 && h[h.size() - 2] == '\r' ? 2 : 1);
    fail(400, "missing Host", section_base_ + last_line);
    return false;
  }
  head_.keep_alive = conn.persistent(http11);
  head_.expect_continue = expect && http11;  // 1.0: ignored (RFC 9110 §10.1.1)
  head_.upgrade = conn.upgrade && has_upgrade;
  if (head_.has_content_length && head_.content_length > limits_.max_body) {
    fail(413, "body larger than the limit", off(cl_value));
    return false;
  }
  return true;
}

}  // namespace lwspp::h1
