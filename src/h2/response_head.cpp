// Encoding an HTTP/2 response head. See response_head.hpp.
#include "h2/response_head.hpp"

#include <charconv>
#include <vector>

#include "http/http_date.hpp"

namespace lwspp::h2 {

namespace {

bool connection_specific(std::string_view n) noexcept {
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" ||
         n == "transfer-encoding" || n == "upgrade";
}

// Adds each "name: value\r\n" line of `lines`, the name lower-cased into
// `names` (reserved by the caller so that views into it stay valid).
void add_lines(std::string_view lines, std::string& names, std::vector<hpack::header_field>& out) {
  while (!lines.empty()) {
    const std::size_t eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol == std::string_view::npos ? lines.size() : eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    const std::size_t at = names.size();
    for (const char c : line.substr(0, colon))
      names += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const std::string_view name(names.data() + at, colon);
    if (connection_specific(name)) continue;
    out.push_back({name, value});
  }
}

}  // namespace

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
  add_lines(h.fixed_fields, names, list);
  list.push_back({"date", http::http_date_now()});
  add_lines(h.fields, names, list);
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
  add_lines(lines, names, list);
  enc.encode(list, out);
}

}  // namespace lwspp::h2
