// Set-Cookie parsing, RFC 6265 §5.2.
#include "http/cookie_parse.hpp"

#include <limits>

#include "h1/syntax.hpp"
#include "http/cookie_date.hpp"
#include "util/ascii.hpp"

namespace lwspp::http::detail {

namespace {

using clock = std::chrono::system_clock;

using h1::detail::trim_ows;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = util::to_lower(c);
  return out;
}

// §5.2.2: "-"? 1*DIGIT, else the attribute is ignored. Saturates instead of
// overflowing: a Max-Age of 10^30 seconds is "forever".
std::optional<clock::time_point> max_age(std::string_view v, clock::time_point now) {
  bool negative = false;
  if (!v.empty() && v.front() == '-') {
    negative = true;
    v.remove_prefix(1);
  }
  if (v.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  constexpr std::int64_t cap = std::int64_t{1} << 40;  // ~35,000 years
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    if (seconds < cap) seconds = seconds * 10 + (c - '0');
  }
  if (negative || seconds == 0) return clock::time_point::min();
  // clock::duration may be nanoseconds (±292 years): compare in seconds.
  const auto room = std::chrono::floor<std::chrono::seconds>(clock::time_point::max() - now);
  if (seconds >= room.count()) return clock::time_point::max();
  return now + std::chrono::seconds{seconds};
}

// An Expires date clamped to what a time_point holds (§5.2.1 step 3/4 clamp
// to the representable range too).
clock::time_point clamp(std::chrono::sys_seconds t) noexcept {
  using std::chrono::seconds;
  if (t >= std::chrono::floor<seconds>(clock::time_point::max())) return clock::time_point::max();
  if (t <= std::chrono::ceil<seconds>(clock::time_point::min())) return clock::time_point::min();
  return std::chrono::time_point_cast<clock::duration>(t);
}

void apply_attribute(set_cookie& c, std::string_view name, std::string_view value,
                     clock::time_point now, bool& have_max_age) {
  if (util::iequals(name, "expires")) {
    // Max-Age wins wherever it stands (§5.3 step 3).
    if (have_max_age) return;
    if (const auto t = parse_cookie_date(value)) c.expires = clamp(*t);
  } else if (util::iequals(name, "max-age")) {
    if (const auto t = max_age(value, now)) {
      c.expires = *t;
      have_max_age = true;
    }
  } else if (util::iequals(name, "domain")) {
    if (value.empty()) return;  // §5.2.3: ignored, and an earlier Domain stays
    if (value.front() == '.') value.remove_prefix(1);
    c.domain = lower(value);
  } else if (util::iequals(name, "path")) {
    c.path = (value.empty() || value.front() != '/') ? std::string() : std::string(value);
  } else if (util::iequals(name, "secure")) {
    c.secure = true;
  } else if (util::iequals(name, "httponly")) {
    c.http_only = true;
  } else if (util::iequals(name, "samesite")) {
    if (util::iequals(value, "strict"))
      c.same_site = same_site::strict;
    else if (util::iequals(value, "lax"))
      c.same_site = same_site::lax;
    else if (util::iequals(value, "none"))
      c.same_site = same_site::none;
  }
}

}  // namespace

std::optional<set_cookie> parse_set_cookie(std::string_view field_value, clock::time_point now) {
  if (!util::is_field_value(field_value)) return std::nullopt;  // RFC 6265bis §5.6 step 1
  const std::size_t semi = field_value.find(';');
  const std::string_view pair = field_value.substr(0, semi);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string_view name = trim_ows(pair.substr(0, eq));
  const std::string_view value = trim_ows(pair.substr(eq + 1));
  if (name.empty() || name.size() + value.size() > max_cookie_size) return std::nullopt;

  set_cookie c;
  c.name = name;
  c.value = value;
  bool have_max_age = false;
  std::string_view rest =
      semi == std::string_view::npos ? std::string_view() : field_value.substr(semi + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find(';');
    const std::string_view av = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    const std::size_t aeq = av.find('=');
    const std::string_view aname = trim_ows(av.substr(0, aeq));
    const std::string_view avalue =
        aeq == std::string_view::npos ? std::string_view() : trim_ows(av.substr(aeq + 1));
    apply_attribute(c, aname, avalue, now, have_max_age);
  }
  return c;
}

}  // namespace lwspp::http::detail
