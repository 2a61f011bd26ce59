// libFuzzer target for the client cookie jar (src/http/cookie_*.cpp): a
// script of operations, one per line, on one jar.
//
//   U<s><host>/<path>   the request URL: s '1' https, else http
//   S<set-cookie>       store(set-cookie, url, now)
//   G                   header_for(url, now)
//   T<digits>           now += that many seconds (at most 10^7 per line)
//   D<date>             parse_cookie_date(date)
//   E                   remove_expired(now)
//
// Invariants:
//  - size() equals the number of cookies() and stays within max_total; no
//    domain holds more than max_per_domain;
//  - every stored cookie has a name, name + value within max_cookie_size,
//    a path starting with '/', no control byte in name or value;
//  - storing over http neither adds nor changes a Secure cookie;
//  - a Cookie header has no control byte and sends no expired cookie; after
//    E no cookie is expired;
//  - a parsed cookie date is within 1601..9999 and formats to valid fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "http/cookie_date.hpp"
#include "http/cookie_jar.hpp"

namespace {

using lwspp::http::cookie_jar;
using lwspp::http::request_url;

bool has_control(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

void check_jar(const cookie_jar& jar) {
  const auto all = jar.cookies();
  if (all.size() != jar.size() || all.size() > cookie_jar::max_total) std::abort();
  std::map<std::string, std::size_t> per_domain;
  for (const auto& c : all) {
    if (++per_domain[c.domain] > cookie_jar::max_per_domain) std::abort();
    if (c.name.empty() || c.name.size() + c.value.size() > cookie_jar::max_cookie_size)
      std::abort();
    if (c.path.empty() || c.path[0] != '/') std::abort();
    if (has_control(c.name) || has_control(c.value)) std::abort();
  }
}

std::set<std::string> secure_cookies(const cookie_jar& jar) {
  std::set<std::string> out;
  for (const auto& c : jar.cookies())
    if (c.secure) out.insert(c.domain + '\n' + c.path + '\n' + c.name + '=' + c.value);
  return out;
}

void check_date(std::string_view text) {
  using namespace std::chrono;
  const auto t = lwspp::http::detail::parse_cookie_date(text);
  if (!t) return;
  const year_month_day ymd{floor<days>(*t)};
  if (!ymd.ok() || ymd.year() < year{1601} || ymd.year() > year{9999}) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  cookie_jar jar;
  auto now = cookie_jar::clock::from_time_t(1750000000);
  std::string scheme = "http", host = "example.com", path = "/";
  std::size_t pos = 0;
  while (pos < input.size()) {
    std::size_t end = input.find('\n', pos);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    const std::string_view arg = line.substr(1);
    const request_url url{.scheme = scheme, .host = host, .path = path};
    switch (line[0]) {
      case 'U': {
        if (arg.empty()) break;
        scheme = arg[0] == '1' ? "https" : "http";
        const std::string_view rest = arg.substr(1);
        const std::size_t slash = rest.find('/');
        host = std::string(rest.substr(0, slash));
        path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
        break;
      }
      case 'S': {
        // Over http, Secure cookies are neither made nor changed (eviction
        // may still remove one).
        const auto before = secure_cookies(jar);
        jar.store(arg, url, now);
        if (scheme != "https") {
          for (const auto& c : secure_cookies(jar))
            if (!before.contains(c)) std::abort();
        }
        break;
      }
      case 'G': {
        const std::string header = jar.header_for(url, now);
        if (has_control(header)) std::abort();
        for (const auto& c : jar.cookies()) {
          const bool sent = c.last_access == now && header.find(c.name) != std::string::npos;
          if (sent && c.expires <= now) std::abort();
        }
        break;
      }
      case 'T': {
        std::int64_t s = 0;
        for (char c : arg.substr(0, 7))
          if (c >= '0' && c <= '9') s = s * 10 + (c - '0');
        now += std::chrono::seconds(s);
        break;
      }
      case 'D':
        check_date(arg);
        break;
      case 'E':
        jar.remove_expired(now);
        for (const auto& c : jar.cookies())
          if (c.expires <= now) std::abort();
        break;
      default:
        break;
    }
    check_jar(jar);
  }
  return 0;
}
