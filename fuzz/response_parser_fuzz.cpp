// libFuzzer target for h1::response_parser (src/h1/response_parser.cpp,
// src/h1/field_lines.cpp).
//
// The first byte picks where to split the rest of the input (scaled to its
// length). The rest is fed whole, split in two there, and (when short)
// byte by byte, under the default limits and under small ones: every run
// must give the same outcome (the head, or the error and its offset, and
// how many bytes the head took). The codec contract is checked along the
// way: consumed never exceeds the span, need_more consumes everything, a
// head's views lie inside raw, a status is 100-599, limits hold, and an
// error stays until reset(). Each span lives in its own exact-size heap
// block, so ASan reports any read past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h1/response_parser.hpp"

namespace {

using lwspp::h1::response_event;
using lwspp::h1::response_limits;
using lwspp::h1::response_parser;

void check(bool ok) {
  if (!ok) std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

std::string run(std::string_view data, const std::vector<std::size_t>& cuts,
                const response_limits& limits) {
  response_parser p(limits);
  std::size_t from = 0;
  std::size_t taken = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> span(new char[n == 0 ? 1 : n]);
    std::copy(data.data() + from, data.data() + to, span.get());
    const std::string_view in(span.get(), n);
    from = to;
    const auto s = p.feed(in);
    check(s.consumed <= in.size());
    if (s.ev == response_event::need_more) {
      check(s.consumed == in.size());
      taken += s.consumed;
      continue;
    }
    if (s.ev == response_event::error) {
      check(!p.error_reason().empty());
      const auto again = p.feed(in);
      check(again.ev == response_event::error && again.consumed == 0);
      return "error " + std::string(p.error_reason()) + " @" + std::to_string(p.error_offset());
    }
    taken += s.consumed;
    const auto& h = p.head();
    check(h.status >= 100 && h.status <= 599);
    check(h.raw.size() == taken);
    check(inside(h.reason, h.raw));
    check(h.headers.size() <= limits.max_headers);
    std::string out = "head " + std::to_string(h.status) + " 1." + std::to_string(h.version_minor) +
                      " " + std::string(h.reason) + " (" + std::to_string(taken) + " bytes)";
    for (const auto& f : h.headers) {
      check(inside(f.name, h.raw) && inside(f.value, h.raw));
      out.append("\n ").append(f.name).append(": ").append(f.value);
    }
    return out;
  }
  return "need more";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const std::size_t split = static_cast<std::size_t>(bytes[0]) * data.size() / 255;
  const response_limits small{.max_status_line = 40, .max_header_bytes = 80, .max_headers = 3};
  for (const response_limits& limits : {response_limits{}, small}) {
    const std::string whole = run(data, {}, limits);
    check(run(data, {split}, limits) == whole);
    if (data.size() <= 256) {
      std::vector<std::size_t> cuts;
      for (std::size_t i = 1; i < data.size(); ++i)
        cuts.push_back(i);
      check(run(data, cuts, limits) == whole);
    }
  }
  return 0;
}
