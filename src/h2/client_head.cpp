// HTTP/2 client heads. See client_head.hpp.
#include "h2/client_head.hpp"

#include <charconv>
#include <vector>

#include "h2/fields.hpp"

namespace lwspp::h2 {

void encode_request_head(hpack::encoder& enc, const http::detail::outgoing_request& r,
                         std::string_view scheme, std::string& out) {
  thread_local std::vector<hpack::header_field> list;
  thread_local std::string names;
  list.clear();
  names.clear();
  names.reserve(r.fields.size() + 16);
  list.push_back({":method", r.method});
  if (!r.protocol.empty()) list.push_back({":protocol", r.protocol});
  list.push_back({":scheme", scheme});
  list.push_back({":authority", r.authority});
  list.push_back({":path", r.target});
  add_field_lines(r.fields, names, list);
  char length[24];
  bool has_length = false;
  std::uint64_t n = 0;
  if (r.streamed) {
    has_length = r.has_length;
    n = r.length;
  } else if (r.send_length || !r.body.empty()) {
    has_length = true;
    n = r.body.size();
  }
  if (has_length) {
    const auto e = std::to_chars(length, length + sizeof length, n);
    list.push_back({"content-length", std::string_view(length, e.ptr - length)});
  }
  enc.encode(list, out);
}

namespace {

// A regular field of a response or trailers: nullptr when well-formed.
const char* check_regular(const hpack::header_field& f) {
  if (!valid_field_name(f.name)) return "a field name that is not a lower-case token";
  if (!valid_field_value(f.value)) return "a field value with NUL, CR, LF or edge whitespace";
  if (connection_specific(f.name)) return "a connection-specific field";
  return nullptr;
}

}  // namespace

response_head_result read_response_head(const hpack::header_list& fields,
                                        http::client_response& r) {
  response_head_result out;
  bool regular_seen = false;
  r.headers.clear();
  r.headers.reserve(fields.size());
  for (const hpack::header_field f : fields) {
    if (!f.name.empty() && f.name.front() == ':') {
      if (regular_seen) return {"a pseudo-header field after a regular field"};
      if (f.name != ":status") return {"a pseudo-header field other than :status"};
      if (out.status != 0) return {"a repeated :status"};
      int s = 0;
      const auto [end, ec] = std::from_chars(f.value.data(), f.value.data() + f.value.size(), s);
      if (f.value.size() != 3 || ec != std::errc() || end != f.value.data() + 3 || s < 100)
        return {":status is not a three-digit code"};
      out.status = s;
      continue;
    }
    regular_seen = true;
    if (const char* why = check_regular(f)) return {why};
    if (f.name == "content-length") {
      const auto n = parse_content_length(f.value);
      if (!n || (out.content_length >= 0 && static_cast<std::uint64_t>(out.content_length) != *n))
        return {"an invalid content-length"};
      out.content_length = static_cast<std::int64_t>(*n);
    }
    r.headers.push_back({std::string(f.name), std::string(f.value)});
  }
  if (out.status == 0) return {"no :status"};
  r.status = out.status;
  r.version = 20;
  r.reason.clear();
  return out;
}

const char* check_trailers(const hpack::header_list& fields) {
  for (const hpack::header_field f : fields) {
    if (!f.name.empty() && f.name.front() == ':') return "a pseudo-header field in trailers";
    if (const char* why = check_regular(f)) return why;
  }
  return nullptr;
}

}  // namespace lwspp::h2
