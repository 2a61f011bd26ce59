// HTTP/2 field rules. See fields.hpp.
#include "h2/fields.hpp"

#include <charconv>
#include <cstdint>

#include "util/ascii.hpp"

namespace lwspp::h2 {

bool connection_specific(std::string_view n) noexcept {
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" ||
         n == "transfer-encoding" || n == "upgrade";
}

bool valid_field_name(std::string_view n) noexcept {
  if (n.empty()) return false;
  for (const char c : n)
    if (!util::is_tchar(c) || (c >= 'A' && c <= 'Z')) return false;
  return true;
}

bool valid_field_value(std::string_view v) noexcept {
  for (const char c : v)
    if (c == '\0' || c == '\r' || c == '\n') return false;
  if (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t'))
    return false;
  return true;
}

std::optional<std::uint64_t> parse_content_length(std::string_view v) noexcept {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n > std::uint64_t{INT64_MAX})
    return std::nullopt;
  return n;
}

void add_field_lines(std::string_view lines, std::string& names,
                     std::vector<hpack::header_field>& out) {
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
    if (connection_specific(name) || (name == "te" && value != "trailers")) continue;
    out.push_back({name, value});
  }
}

}  // namespace lwspp::h2
