// Encoding an HTTP/2 response head. See response_head.hpp.
#include "h2/response_head.hpp"

#include <charconv>
#include <cstring>
#include <vector>

#include "h2/fields.hpp"

namespace lwspp::h2 {

bool head_encoder::same_as_last(const response_head& h, std::string_view date) const noexcept {
  return enc_.generation() == last_generation_ && h.status == last_status_ &&
         h.has_length == last_has_length_ && (!h.has_length || h.length == last_length_) &&
         std::memcmp(date.data(), last_date_, sizeof last_date_) == 0 && h.fields == last_fields_ &&
         h.fixed_fields == last_fixed_;
}

void head_encoder::response(const response_head& h, std::string& out) {
  const std::string_view date = http::http_date_now();
  if (same_as_last(h, date)) {
    out.append(last_block_);
    return;
  }
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
  list.push_back({"date", date});
  add_field_lines(h.fields, names, list);
  char length[24];
  if (h.has_length) {
    const auto r = std::to_chars(length, length + sizeof length, h.length);
    list.push_back({"content-length", std::string_view(length, r.ptr - length)});
  }
  const std::uint64_t before = enc_.generation();
  const std::size_t at = out.size();
  enc_.encode(list, out);
  if (enc_.generation() != before) {
    last_generation_ = ~std::uint64_t{0};  // the block changed the table: not replayable
    return;
  }
  last_block_.assign(out, at);
  last_fixed_.assign(h.fixed_fields);
  last_fields_.assign(h.fields);
  std::memcpy(last_date_, date.data(), sizeof last_date_);
  last_length_ = h.length;
  last_status_ = h.status;
  last_has_length_ = h.has_length;
  last_generation_ = before;
}

void head_encoder::trailers(std::string_view lines, std::string& out) {
  thread_local std::vector<hpack::header_field> list;
  thread_local std::string names;
  list.clear();
  names.clear();
  names.reserve(lines.size());
  add_field_lines(lines, names, list);
  enc_.encode(list, out);
}

}  // namespace lwspp::h2
