// libFuzzer target for h1::request_parser (src/h1/request_parser*.cpp,
// src/h1/chunked_decoder.cpp).
//
// The first byte picks where to split the rest of the input (its low 7 bits,
// scaled to the input's length) and the leniency (its high bit: allow_bare_lf).
// The rest is fed whole, split in two there, and (when short) byte by byte,
// under the default limits and under small ones. Every run must give the same
// event log. Along the way the codec contract is checked: consumed never
// exceeds the span, need_more consumes everything, body data is non-empty
// and inside the span, a Content-Length body has exactly that length, no body
// exceeds max_body, and an error stays until reset(). Each span lives in its
// own exact-size heap block, so ASan reports any read past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "h1/request_parser.hpp"

namespace {

using lwspp::h1::event;
using lwspp::h1::parser_leniency;
using lwspp::h1::parser_limits;
using lwspp::h1::request_parser;
using lwspp::h1::step;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string describe_head(const request_parser& p) {
  const auto& h = p.head();
  std::string s = "head ";
  s.append(h.method).append(" ").append(h.target);
  s += " 1." + std::to_string(h.version_minor) + " f" + std::to_string(int(h.form));
  s += h.keep_alive ? " ka" : " close";
  if (h.chunked) s += " chunked";
  if (h.has_content_length) s += " cl=" + std::to_string(h.content_length);
  if (h.expect_continue) s += " expect";
  if (h.upgrade) s.append(" upgrade=").append(h.upgrade_protocol);
  s.append(" host=").append(h.host);
  for (const auto& f : h.headers) {
    s.append("\n ").append(f.name).append(": ").append(f.value);
    s += " #" + std::to_string(int(f.id));
  }
  return s;
}

// Feeds data cut at `cuts` (increasing) and returns the event log.
std::vector<std::string> run(std::string_view data, const std::vector<std::size_t>& cuts,
                             const parser_limits& limits, parser_leniency lenient) {
  request_parser p(limits, lenient);
  std::vector<std::string> log;
  std::string body;
  std::uint64_t message_body = 0;
  auto flush = [&] {
    if (!body.empty()) log.push_back("body " + body);
    body.clear();
  };
  std::size_t from = 0;
  std::size_t events = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> span(new char[n == 0 ? 1 : n]);
    std::copy(data.data() + from, data.data() + to, span.get());
    std::string_view rest(span.get(), n);
    from = to;
    for (;;) {
      check(++events <= 2 * data.size() + 8);  // each event consumes, or ends a message
      const step s = p.feed(rest);
      check(s.consumed <= rest.size());
      if (s.ev == event::need_more) {
        check(s.consumed == rest.size());
        break;
      }
      if (s.ev == event::body) {
        check(!s.data.empty() && s.data.data() >= rest.data() &&
              s.data.data() + s.data.size() <= rest.data() + rest.size());
        body.append(s.data);
        message_body += s.data.size();
        check(message_body <= limits.max_body);
      } else {
        flush();
      }
      if (s.ev == event::head) {
        log.push_back(describe_head(p));
        check(!p.head().has_content_length || p.head().content_length <= limits.max_body);
        check(!(p.head().chunked && p.head().has_content_length));
      } else if (s.ev == event::message_end) {
        if (p.head().has_content_length) check(message_body == p.head().content_length);
        message_body = 0;
        std::string t = "end";
        for (const auto& f : p.trailers())
          t.append("\n ").append(f.name).append(": ").append(f.value);
        log.push_back(t);
        check(p.idle());
      } else if (s.ev == event::error) {
        const int st = p.error_status();
        check(st == 400 || st == 413 || st == 414 || st == 417 || st == 431 || st == 501 ||
              st == 505);
        check(!p.error_reason().empty());
        log.push_back("error " + std::to_string(st) + " @" + std::to_string(p.error_offset()));
        const step again = p.feed(rest);
        check(again.ev == event::error && again.consumed == 0);
        return log;
      }
      rest.remove_prefix(s.consumed);
    }
  }
  flush();
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const std::size_t split = static_cast<std::size_t>(bytes[0] & 0x7f) * data.size() / 127;
  const parser_leniency lenient{.allow_bare_lf = (bytes[0] & 0x80) != 0};

  const parser_limits small{.max_request_line = 48,
                            .max_header_bytes = 96,
                            .max_headers = 4,
                            .max_trailer_bytes = 24,
                            .max_chunk_ext = 8,
                            .max_body = 40};
  for (const parser_limits& limits : {parser_limits{}, small}) {
    const std::vector<std::string> whole = run(data, {}, limits, lenient);
    check(run(data, {split}, limits, lenient) == whole);
    if (data.size() <= 256) {
      std::vector<std::size_t> cuts;
      for (std::size_t i = 1; i < data.size(); ++i)
        cuts.push_back(i);
      check(run(data, cuts, limits, lenient) == whole);
    }
  }
  return 0;
}
