// Entity-tags and conditional request evaluation.
#include "http/etag.hpp"

#include "http/http_date.hpp"

namespace lwspp::http {
namespace {

// splitmix64's finaliser: a bijection that spreads every input bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

char* put_hex(char* p, std::uint64_t v, int min_digits) noexcept {
  constexpr char digits[] = "0123456789abcdef";
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = digits[v & 15];
    v >>= 4;
  } while (v != 0);
  while (n < min_digits)
    tmp[n++] = '0';
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

struct parsed_tag {
  bool weak = false;
  std::string_view opaque;  // with the quotes
};

// One entity-tag, the whole of `s`; nullopt when it is not one.
std::optional<parsed_tag> parse_tag(std::string_view s) noexcept {
  parsed_tag t;
  if (s.starts_with("W/")) {
    t.weak = true;
    s.remove_prefix(2);
  }
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  for (char c : s.substr(1, s.size() - 2)) {
    if (!is_etagc(c)) return std::nullopt;
  }
  t.opaque = s;
  return t;
}

bool tags_match(const parsed_tag& a, const parsed_tag& b, etag_compare how) noexcept {
  if (how == etag_compare::strong && (a.weak || b.weak)) return false;
  return a.opaque == b.opaque;
}

// nullopt: `field` is not valid syntax.
std::optional<bool> list_matches(std::string_view field, const parsed_tag& current,
                                 etag_compare how) noexcept {
  field = trim(field);
  if (field == "*") return true;
  bool matched = false;
  bool any = false;
  while (!field.empty()) {
    // An entity-tag may contain ',' inside its quotes: find the element's end
    // by walking the tag, not by searching for ','.
    std::size_t end = 0;
    if (field.starts_with("W/")) end = 2;
    if (end < field.size() && field[end] == '"') {
      const std::size_t close = field.find('"', end + 1);
      if (close == std::string_view::npos) return std::nullopt;
      end = close + 1;
    } else {
      end = field.find(',');  // an empty element, or garbage caught below
      if (end == std::string_view::npos) end = field.size();
    }
    const std::string_view element = trim(field.substr(0, end));
    field.remove_prefix(end);
    field = trim(field);
    if (!field.empty()) {
      if (field.front() != ',') return std::nullopt;
      field.remove_prefix(1);
      field = trim(field);
    }
    if (element.empty()) continue;  // "a, , b": empty elements are allowed
    const auto tag = parse_tag(element);
    if (!tag) return std::nullopt;
    any = true;
    matched = matched || tags_match(*tag, current, how);
  }
  if (!any) return std::nullopt;  // 1#entity-tag: at least one
  return matched;
}

}  // namespace

etag make_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode) noexcept {
  etag e;
  char* p = e.buf_;
  *p++ = '"';
  p = put_hex(p, static_cast<std::uint64_t>(mtime_ns), 1);
  *p++ = '-';
  p = put_hex(p, size, 1);
  *p++ = '-';
  p = put_hex(p, mix64(inode) & 0xffffffffu, 8);
  *p++ = '"';
  e.len_ = static_cast<std::uint8_t>(p - e.buf_);
  return e;
}

etag make_etag(const struct stat& st) noexcept {
  const std::int64_t ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                          static_cast<std::int64_t>(st.st_mtim.tv_nsec);
  return make_etag(static_cast<std::uint64_t>(st.st_size), ns,
                   static_cast<std::uint64_t>(st.st_ino));
}

bool etag_list_matches(std::string_view field, std::string_view tag, etag_compare how) noexcept {
  const auto current = parse_tag(tag);
  if (!current) return false;
  return list_matches(field, *current, how).value_or(false);
}

precondition evaluate_preconditions(const conditional_request& request,
                                    const validators& current) noexcept {
  const auto current_tag = parse_tag(current.etag);
  // "*" matches whenever there is a current representation: there is one
  // (we are about to serve it), even when it has no ETag.
  auto matches = [&](std::string_view field, etag_compare how) {
    if (trim(field) == "*") return true;
    return current_tag && list_matches(field, *current_tag, how).value_or(false);
  };

  if (request.if_match) {
    if (!matches(*request.if_match, etag_compare::strong)) return precondition::failed;
  } else if (request.if_unmodified_since) {
    const auto date = parse_http_date(trim(*request.if_unmodified_since));
    if (date && current.last_modified > *date) return precondition::failed;
  }

  if (request.if_none_match) {
    if (matches(*request.if_none_match, etag_compare::weak)) {
      return request.get_or_head ? precondition::not_modified : precondition::failed;
    }
  } else if (request.get_or_head && request.if_modified_since) {
    const auto date = parse_http_date(trim(*request.if_modified_since));
    if (date && current.last_modified <= *date) return precondition::not_modified;
  }
  return precondition::proceed;
}

}  // namespace lwspp::http
