// HTTP/1.1 response head serialization.
#include "h1/response_head.hpp"

#include <charconv>

#include "http/http_date.hpp"
#include "lwspp/http.hpp"

namespace lwspp::h1 {

void append_head(std::string& out, const head_params& p, std::string_view fixed_fields,
                 std::string_view fields) {
  char num[24];
  out += "HTTP/1.1 ";
  auto r = std::to_chars(num, num + sizeof num, p.status);
  out.append(num, r.ptr);
  out += ' ';
  out += http::status_text(p.status);
  out += "\r\ndate: ";
  out += http::http_date_now();
  out += "\r\n";
  out += fixed_fields;
  out += fields;
  switch (p.framing) {
    case body_framing::length:
      out += "content-length: ";
      r = std::to_chars(num, num + sizeof num, p.length);
      out.append(num, r.ptr);
      out += "\r\n";
      break;
    case body_framing::chunked:
      out += "transfer-encoding: chunked\r\n";
      break;
    case body_framing::none:
    case body_framing::until_close:
      break;
  }
  if (!p.keep_alive)
    out += "connection: close\r\n";
  else if (p.peer_is_1_0)
    out += "connection: keep-alive\r\n";
  out += "\r\n";
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  char num[20];
  auto r = std::to_chars(num, num + sizeof num, data.size(), 16);
  out.append(num, r.ptr);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

}  // namespace lwspp::h1
