// libFuzzer target for boundary_from_content_type and multipart_parser.
//
// Input: a Content-Type value, '\n', then the body. The body is parsed
// whole, in pseudo-random pieces (seeded by the input) and, when short,
// byte by byte, with the default limits and with small ones. Each way must
// give the same event log (data merged) and the same outcome, including the
// error and its offset. The events must also be well nested: data only
// inside a part, every begin ended before the next one, and a successful
// parse ends with no part open.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lwspp/http_form.hpp"

namespace {

namespace http = lwspp::http;

struct event_log {
  std::string log;
  std::string data;
  bool open = false;

  void flush() {
    if (!data.empty()) {
      log += "D" + std::to_string(data.size()) + ":" + data + "\n";
      data.clear();
    }
  }
};

http::multipart_handlers handlers_for(event_log& e) {
  return {
      .on_part_begin =
          [&e](const http::part_info& p) {
            if (e.open) std::abort();
            e.open = true;
            e.flush();
            e.log += "B" + p.name + "|" + (p.has_filename ? "1" : "0") + p.filename + "|" +
                     p.content_type + "|" + std::to_string(p.headers.size()) + "\n";
            for (const auto& h : p.headers)
              e.log += "H" + h.name + ":" + h.value + "\n";
          },
      .on_part_data =
          [&e](std::string_view d) {
            if (!e.open || d.empty()) std::abort();
            e.data.append(d);
          },
      .on_part_end =
          [&e] {
            if (!e.open) std::abort();
            e.open = false;
            e.flush();
            e.log += "E\n";
          },
  };
}

// max_chunk 0: whole; 1: byte by byte; else pseudo-random pieces.
std::string run(std::string_view boundary, std::string_view body, std::size_t max_chunk,
                std::uint32_t seed, const http::multipart_limits& limits) {
  event_log e;
  http::multipart_parser p(boundary, handlers_for(e), limits);
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
  e.flush();
  if (r && (e.open || !p.done())) std::abort();
  return e.log + (r ? std::string("ok") : r.error().message());
}

void check(std::string_view boundary, std::string_view body, std::uint32_t seed,
           const http::multipart_limits& limits) {
  const std::string whole = run(boundary, body, 0, seed, limits);
  if (run(boundary, body, 16, seed, limits) != whole) std::abort();
  if (run(boundary, body, 300, seed + 1, limits) != whole) std::abort();
  if (body.size() <= 4096 && run(boundary, body, 1, seed, limits) != whole) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto boundary = http::boundary_from_content_type(input.substr(0, nl));
  if (!boundary) return 0;
  if (boundary.value().empty() || boundary.value().size() > 70) std::abort();
  const std::string_view body = input.substr(nl + 1);

  std::uint32_t seed = 2166136261u;  // FNV-1a of the input picks the pieces
  for (const char c : input)
    seed = (seed ^ static_cast<unsigned char>(c)) * 16777619u;

  check(boundary.value(), body, seed, {});
  check(boundary.value(), body, seed,
        {.max_part_header_bytes = 64 + seed % 64,
         .max_parts = 1 + seed % 4,
         .max_part_size = 1 + seed % 200,
         .max_total_size = 100 + seed % 1000});
  return 0;
}
