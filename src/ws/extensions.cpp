// A small cursor parser for the extension list grammar.
#include "ws/extensions.hpp"

#include "util/ascii.hpp"

namespace lwspp::ws {
namespace {

struct cursor {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i == s.size(); }
  char peek() const { return s[i]; }
  void skip_ows() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
      ++i;
  }
  std::string_view token() {
    const std::size_t from = i;
    while (i < s.size() && util::is_tchar(s[i]))
      ++i;
    return s.substr(from, i - from);
  }
  // A quoted-string (the opening quote is next); false if malformed.
  bool quoted(std::string& out) {
    ++i;
    while (i < s.size()) {
      const char c = s[i++];
      if (c == '"') return true;
      if (c == '\\') {
        if (i == s.size()) return false;
        out += s[i++];
      } else if (c == '\r' || c == '\n' || c == '\0') {
        return false;
      } else {
        out += c;
      }
    }
    return false;
  }
};

bool all_tchar(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!util::is_tchar(c)) return false;
  return true;
}

bool parse_param(cursor& c, extension_param& p) {
  p.name = c.token();
  if (p.name.empty()) return false;
  // No whitespace around '=': the grammar has none.
  if (c.done() || c.peek() != '=') return true;
  ++c.i;
  p.has_value = true;
  if (!c.done() && c.peek() == '"') return c.quoted(p.value) && all_tchar(p.value);
  p.value = std::string(c.token());
  return !p.value.empty();
}

}  // namespace

std::optional<std::vector<extension>> parse_extensions(std::string_view header) {
  std::vector<extension> out;
  cursor c{header};
  for (;;) {
    c.skip_ows();
    if (c.done()) break;
    if (c.peek() == ',') {  // an empty element
      ++c.i;
      continue;
    }
    extension e;
    e.name = c.token();
    if (e.name.empty()) return std::nullopt;
    c.skip_ows();
    while (!c.done() && c.peek() == ';') {
      ++c.i;
      c.skip_ows();
      if (!parse_param(c, e.params.emplace_back())) return std::nullopt;
      c.skip_ows();
    }
    out.push_back(std::move(e));
    if (c.done()) break;
    if (c.peek() != ',') return std::nullopt;
    ++c.i;
  }
  return out;
}

}  // namespace lwspp::ws
