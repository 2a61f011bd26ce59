// Helpers of the HPACK unit tests: hex blocks as the RFC prints them, and
// header lists written as {name, value} pairs.
#pragma once
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "h2/hpack/dynamic_table.hpp"
#include "h2/hpack/header_list.hpp"

namespace lwspp::h2::hpack::test {

// "8286 8441" → bytes (spaces and line breaks ignored).
inline std::string unhex(std::string_view hex) {
  std::string out;
  int hi = -1;
  for (const char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out.push_back(digits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(digits[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

inline pairs to_pairs(const header_list& l) {
  pairs out;
  for (const header_field f : l)
    out.emplace_back(f.name, f.value);
  return out;
}

inline pairs table_pairs(const dynamic_table& t) {
  pairs out;
  for (std::uint32_t i = 0; i < t.count(); ++i)
    out.emplace_back(t.at(i).name, t.at(i).value);
  return out;
}

inline std::vector<header_field> to_fields(const pairs& p) {
  std::vector<header_field> out;
  for (const auto& [n, v] : p)
    out.push_back({n, v});
  return out;
}

// The requests of RFC 7541 Appendix C.3/C.4 and the dynamic table after each.
inline const pairs req1 = {
    {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
inline const pairs req2 = {{":method", "GET"},
                           {":scheme", "http"},
                           {":path", "/"},
                           {":authority", "www.example.com"},
                           {"cache-control", "no-cache"}};
inline const pairs req3 = {{":method", "GET"},
                           {":scheme", "https"},
                           {":path", "/index.html"},
                           {":authority", "www.example.com"},
                           {"custom-key", "custom-value"}};
inline const pairs req_table1 = {{":authority", "www.example.com"}};
inline const pairs req_table2 = {{"cache-control", "no-cache"}, {":authority", "www.example.com"}};
inline const pairs req_table3 = {{"custom-key", "custom-value"},
                                 {"cache-control", "no-cache"},
                                 {":authority", "www.example.com"}};

}  // namespace lwspp::h2::hpack::test
