// Encoding an HTTP/2 response head. See response_head.hpp.
#include "h2/response_head.hpp"

#include <charconv>
#include <vector>

#include "h2/fields.hpp"
#include "http/http_date.hpp"

namespace lwspp::h2 {

void encode_response_head(hpack::encoder& enc, const response_head& h, std::string& out) {
  thread_local std::vector<hpack::header_field> list;
  thread_local std::string names;
  list.clear();
  names.clear();
  names.reserve(h.fixed_fields.size() + h.fields.size() + 32);
  char status[4];
  const int s = h.status < 100 || h.status > 999 ? 500 : h.status;
  std::to_chars(status, status + 3, s);
  list.push_back({":status", std::string_view(status, 3)});
  add_field_lines(h.fixed_fields, names, list);
  list.push_back({"date", http::http_date_now()});
  add_field_lines(h.fields, names, list);
  char length[24];
  if (h.has_length) {
    const auto r = std::to_chars(length, length + sizeof length, h.length);
    list.push_back({"content-length", std::string_view(length, r.ptr - length)});
  }
  enc.encode(list, out);
}

void encode_trailers(hpack::encoder& enc, std::string_view lines, std::string& out) {
  thread_local std::vector<hpack::header_field> list;
  thread_local std::string names;
  list.clear();
  names.clear();
  names.reserve(lines.size());
  add_field_lines(lines, names, list);
  enc.encode(list, out);
}

}  // namespace lwspp::h2
