#include "diagnostics.hpp"

#include <algorithm>
#include <cstdio>

namespace lwspp_server {
namespace {

// A key as a JSON string, so that quotes or control bytes in it stay readable.
std::string quoted(std::string_view key) {
  std::string out = "\"";
  for (const char c : key) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void diagnostics::error(std::string_view pointer, std::string_view key, std::string message) {
  items_.push_back({line_of(pointer), std::string(key), std::move(message)});
}

void diagnostics::error_at_line(int line, std::string message) {
  items_.push_back({line, {}, std::move(message)});
}

std::vector<std::string> diagnostics::formatted() const {
  std::vector<item> sorted = items_;
  // Stable: problems on one line keep the order they were found in.
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const item& a, const item& b) { return a.line < b.line; });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (const item& i : sorted) {
    std::string text = source_ + ":" + std::to_string(std::max(i.line, 1)) + ": ";
    if (!i.key.empty()) text += "key " + quoted(i.key) + ": ";
    text += i.message;
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace lwspp_server
