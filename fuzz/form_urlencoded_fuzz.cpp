// libFuzzer target for urlencoded_parser, parse_urlencoded and
// append_urlencoded.
//
// The input is a body. Fed whole, in pseudo-random pieces and byte by byte
// (strict, then with keep_bad_percent, then with small limits), it must give
// the same pairs and outcome every way, and parse_urlencoded must agree.
// Round trip: whatever pairs came out, encoded again with
// append_urlencoded, must parse back to the same pairs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lwspp/http_form.hpp"

namespace {

namespace http = lwspp::http;
using pairs = std::vector<std::pair<std::string, std::string>>;

struct outcome {
  pairs fields;
  std::string error;  // "" when ok
  bool operator==(const outcome&) const = default;
};

// max_chunk 0: whole; 1: byte by byte; else pseudo-random pieces.
outcome run(std::string_view body, std::size_t max_chunk, std::uint32_t seed,
            const http::urlencoded_limits& limits, const http::urlencoded_leniency& lenient) {
  outcome o;
  http::urlencoded_parser p(
      [&o](std::string_view n, std::string_view v) { o.fields.emplace_back(n, v); }, limits,
      lenient);
  lwspp::result<void> r;
  std::size_t i = 0;
  while (r && i < body.size()) {
    std::size_t n = body.size();
    if (max_chunk != 0) {
      seed = seed * 1103515245u + 12345u;
      n = 1 + (seed >> 8) % max_chunk;
    }
    n = std::min(n, body.size() - i);
    r = p.feed(body.substr(i, n));
    i += n;
  }
  if (r) r = p.finish();
  if (!r) o.error = r.error().message();
  return o;
}

void check(std::string_view body, std::uint32_t seed, const http::urlencoded_limits& limits,
           const http::urlencoded_leniency& lenient) {
  const outcome whole = run(body, 0, seed, limits, lenient);
  if (run(body, 7, seed, limits, lenient) != whole) std::abort();
  if (body.size() <= 4096 && run(body, 1, seed, limits, lenient) != whole) std::abort();
  auto direct = http::parse_urlencoded(body, limits, lenient);
  if (direct.ok() != whole.error.empty()) std::abort();
  if (!direct) return;
  if (direct.value() != whole.fields) std::abort();
  for (const auto& [name, value] : whole.fields) {
    if (name.size() > limits.max_name || value.size() > limits.max_value) std::abort();
  }
  if (whole.fields.size() > limits.max_fields) std::abort();
  std::string again;
  for (const auto& [name, value] : whole.fields)
    http::append_urlencoded(again, name, value);
  auto back = http::parse_urlencoded(again, limits);
  if (!back || back.value() != whole.fields) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::uint32_t seed = 2166136261u;
  for (const char c : body)
    seed = (seed ^ static_cast<unsigned char>(c)) * 16777619u;
  check(body, seed, {}, {});
  check(body, seed, {}, {.keep_bad_percent = true});
  check(body, seed, {.max_name = 1 + seed % 8, .max_value = seed % 16, .max_fields = 1 + seed % 5},
        {.keep_bad_percent = (seed & 1) != 0});
  return 0;
}
