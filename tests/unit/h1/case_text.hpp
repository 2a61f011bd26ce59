// The text of the h1 conformance cases (tests/unit/h1/cases/*.txt and
// tests/unit/h1/response_cases/*.txt, described in docs/h1.md): the
// escapes of input lines and of event logs, one copy for both runners.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

#include "util/ascii.hpp"

namespace h1_case {

// ---------------------------------------------------------------------------
// Escapes: \r \n \t \\ \xNN (and \s for a space where trailing spaces matter).
// ---------------------------------------------------------------------------

using lwspp::util::hex_digit;  // the library's one copy

inline bool unescape(std::string_view in, std::string& out) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i == in.size()) return false;
    switch (in[i]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 's':
        out += ' ';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        const int hi = i + 1 < in.size() ? hex_digit(in[i + 1]) : -1;
        const int lo = i + 2 < in.size() ? hex_digit(in[i + 2]) : -1;
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

// A trailing space is written \x20 so that log lines never end in a space.
inline std::string escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.replace(out.size() - 1, 1, "\\x20");
  return out;
}

}  // namespace h1_case
