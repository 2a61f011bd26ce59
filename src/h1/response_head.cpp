// HTTP/1.1 response head serialization.
//
// This runs once per response, so it writes in place: the buffer grows once
// to the largest size the head can have, every piece is a memcpy of a known
// length (no strlen, no per-piece capacity check), and the buffer is cut to
// what was written.
#include "h1/response_head.hpp"

#include <charconv>
#include <cstring>

#include "http/http_date.hpp"
#include "lwspp/http.hpp"

namespace lwspp::h1 {

namespace {

// Room for a decimal std::uint64_t (20 digits) or an int with its sign.
constexpr std::size_t max_digits = 20;

char* put(char* w, std::string_view s) noexcept {
  std::memcpy(w, s.data(), s.size());
  return w + s.size();
}

char* put_number(char* w, std::uint64_t n, int base = 10) noexcept {
  return std::to_chars(w, w + max_digits, n, base).ptr;
}

// "HTTP/1.1 200 OK\r\n": a status from 100 to 999 as three digits, anything
// else (internal callers only) through to_chars.
char* put_status_line(char* w, int status, std::string_view reason) noexcept {
  w = put(w, "HTTP/1.1 ");
  if (status >= 100 && status <= 999) {
    w[0] = static_cast<char>('0' + status / 100);
    w[1] = static_cast<char>('0' + status / 10 % 10);
    w[2] = static_cast<char>('0' + status % 10);
    w += 3;
  } else {
    w = std::to_chars(w, w + max_digits, status).ptr;
  }
  *w++ = ' ';
  w = put(w, reason);
  return put(w, "\r\n");
}

constexpr std::string_view date_name = "date: ";
constexpr std::string_view length_name = "content-length: ";
constexpr std::string_view chunked_line = "transfer-encoding: chunked\r\n";
constexpr std::string_view close_line = "connection: close\r\n";
constexpr std::string_view keep_alive_line = "connection: keep-alive\r\n";

}  // namespace

void append_head(std::string& out, const head_params& p, std::string_view fixed_fields,
                 std::string_view fields) {
  const std::string_view reason = http::status_text(p.status);
  const std::string_view date = http::http_date_now();
  const std::size_t most = 9 + max_digits + 1 + reason.size() + 2          // status line
                           + date_name.size() + date.size() + 2            // date
                           + fixed_fields.size() + fields.size()           //
                           + length_name.size() + max_digits + 2           // framing
                           + chunked_line.size() + keep_alive_line.size()  // (either)
                           + 2;                                            // blank line
  const std::size_t at = out.size();
  out.resize(at + most);
  char* const start = out.data() + at;
  char* w = put_status_line(start, p.status, reason);
  w = put(w, date_name);
  w = put(w, date);
  w = put(w, "\r\n");
  w = put(w, fixed_fields);
  w = put(w, fields);
  switch (p.framing) {
    case body_framing::length:
      w = put(w, length_name);
      w = put_number(w, p.length);
      w = put(w, "\r\n");
      break;
    case body_framing::chunked:
      w = put(w, chunked_line);
      break;
    case body_framing::none:
    case body_framing::until_close:
      break;
  }
  if (!p.keep_alive)
    w = put(w, close_line);
  else if (p.peer_is_1_0)
    w = put(w, keep_alive_line);
  w = put(w, "\r\n");
  out.resize(at + static_cast<std::size_t>(w - start));
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char num[max_digits];
  char* end = put_number(num, data.size(), 16);
  out.reserve(out.size() + static_cast<std::size_t>(end - num) + data.size() + 4);
  out.append(num, end);
  out += std::string_view("\r\n");
  out += data;
  out += std::string_view("\r\n");
}

}  // namespace lwspp::h1
