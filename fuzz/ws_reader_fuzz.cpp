// libFuzzer target for ws::message_reader over ws::frame_parser
// (src/ws/message_reader.cpp, src/ws/frame_parser.cpp, src/ws/deflate.cpp).
//
// The first byte picks the settings: side (bit 0), streaming (bit 1),
// permessage-deflate (bit 2) with no context takeover (bit 3), a small
// message limit (bit 4), a 7-byte fragment buffer (bit 5); the second picks
// where to split. The rest is fed whole, split in two, and (when short)
// byte by byte; every run must give the same event log. Contract checks:
// consumed within the span, need_more consumes everything, message sizes
// within the limit, fragments within max_fragment, text is UTF-8, an error
// stays until the end, nothing is parsed after a close.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "util/utf8.hpp"
#include "ws/message_reader.hpp"

namespace {

using namespace lwspp::ws;

void check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string> run(const std::string& data, const std::vector<std::size_t>& cuts,
                             const reader_settings& rs, bool deflate, bool no_context) {
  message_reader r(rs);
  if (deflate) r.enable_deflate({.window_bits = 15, .no_context_takeover = no_context});
  std::vector<std::string> log;
  std::string stream;
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> span(new char[n == 0 ? 1 : n]);
    std::copy(data.data() + from, data.data() + to, span.get());
    std::span<char> rest(span.get(), n);
    from = to;
    for (std::size_t guard = 0;; ++guard) {
      // Each event consumes input or gives out inflated bytes (at most
      // 1032 per compressed byte, in pieces of at least 1 byte).
      check(guard <= 4 * data.size() + 64 + (deflate ? 1100 * data.size() : 0));
      const step s = r.feed(rest);
      check(s.consumed <= rest.size());
      if (s.ev == event::need_more) {
        check(s.consumed == rest.size());
        break;
      }
      switch (s.ev) {
        case event::message:
          check(s.data.size() <= rs.max_message_size);
          if (s.kind == lwspp::ws::message_kind::text) check(lwspp::util::is_valid_utf8(s.data));
          log.push_back("m" + std::to_string(int(s.kind)) + std::string(s.data));
          break;
        case event::fragment:
          // A piece of the caller's span (uncompressed), or inflated output
          // of at most max_fragment bytes.
          check((s.data.data() >= rest.data() &&
                 s.data.data() + s.data.size() <= rest.data() + rest.size()) ||
                s.data.size() <= rs.max_fragment);
          stream.append(s.data);
          check(stream.size() <= rs.max_message_size);
          if (s.last) {
            if (s.kind == lwspp::ws::message_kind::text) check(lwspp::util::is_valid_utf8(stream));
            log.push_back("s" + std::to_string(int(s.kind)) + stream);
            stream.clear();
          }
          break;
        case event::ping:
        case event::pong:
          check(s.data.size() <= 125);
          log.push_back((s.ev == event::ping ? "i" : "o") + std::string(s.data));
          break;
        case event::close:
          check(r.closed());
          log.push_back("c" + std::to_string(s.close_code) + std::string(s.data));
          break;
        case event::error: {
          const std::uint16_t code = r.error_close_code();
          check(code == 1002 || code == 1007 || code == 1009);
          log.push_back("e" + std::to_string(int(r.error_code())));
          char more[2] = {0, 0};
          check(r.feed(std::span<char>(more, 2)).ev == event::error);
          return log;
        }
        case event::need_more:
          break;
      }
      rest = rest.subspan(s.consumed);
    }
  }
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  const unsigned cfg = bytes[0];
  const std::string data(reinterpret_cast<const char*>(bytes) + 2, size - 2);
  const std::size_t split = static_cast<std::size_t>(bytes[1]) * data.size() / 255;
  reader_settings rs;
  rs.side = (cfg & 1) != 0 ? endpoint::client : endpoint::server;
  rs.streaming = (cfg & 2) != 0;
  if ((cfg & 16) != 0) rs.max_message_size = 300;
  if ((cfg & 32) != 0) rs.max_fragment = 7;
  const bool deflate = (cfg & 4) != 0;
  const bool no_context = (cfg & 8) != 0;
  const auto whole = run(data, {}, rs, deflate, no_context);
  check(run(data, {split}, rs, deflate, no_context) == whole);
  if (data.size() <= 300) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < data.size(); ++i)
      cuts.push_back(i);
    check(run(data, cuts, rs, deflate, no_context) == whole);
  }
  return 0;
}
