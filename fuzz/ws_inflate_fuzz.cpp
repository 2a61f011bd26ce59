// libFuzzer target for the permessage-deflate decoder path (src/ws/deflate.cpp).
//
// The first byte picks the window (8-15), context takeover and the output
// room per call (1 byte to 64 KiB). The rest is used twice:
//  1. as a compressed message: inflated with a 64 KiB bound; it must either
//     fail cleanly or produce the same bytes with any output room, and
//     never more than the bound.
//  2. as a plain message: compressed by our deflater and inflated back,
//     twice in a row (context takeover), which must give it back exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ws/deflate.hpp"

namespace {

using namespace lwspp::ws;

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::size_t bound = 64 * 1024;

// Inflates `in` as one message; false on corrupt data or over the bound.
bool inflate_message(inflater& z, std::string_view in, std::size_t room, std::string& out) {
  std::string buf(room, '\0');
  while (!in.empty()) {
    const auto r = z.inflate(in, buf.data(), room);
    if (!r.ok) return false;
    check(r.consumed <= in.size() && r.produced <= room);
    if (r.consumed == 0 && r.produced == 0) return false;
    out.append(buf.data(), r.produced);
    in.remove_prefix(r.consumed);
    if (out.size() > bound) return false;
  }
  bool done = false;
  while (!done) {
    const auto r = z.finish(buf.data(), room, done);
    if (!r.ok) return false;
    out.append(buf.data(), r.produced);
    if (out.size() > bound) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 1) return 0;
  const int bits = 8 + (bytes[0] & 7);
  const bool no_context = (bytes[0] & 8) != 0;
  const std::size_t room = std::size_t{1} << ((bytes[0] >> 4) & 15);
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);

  {
    inflater a({.window_bits = bits, .no_context_takeover = no_context});
    inflater b({.window_bits = bits, .no_context_takeover = no_context});
    std::string out_a, out_b;
    const bool ok_a = inflate_message(a, data, room, out_a);
    const bool ok_b = inflate_message(b, data, 65536, out_b);
    check(out_a.size() <= bound + 65536 && out_b.size() <= bound + 65536);
    // With a small room zlib checks distances against the window it has; a
    // large room may let an over-long distance through. Whatever both
    // accept must be the same bytes.
    if (ok_a && ok_b) check(out_a == out_b);
  }
  {
    deflater d({.window_bits = bits, .no_context_takeover = no_context, .level = 1 + bytes[0] % 9});
    inflater z({.window_bits = bits, .no_context_takeover = no_context});
    for (int round = 0; round < 2; ++round) {
      std::string packed;
      check(d.compress(data.substr(0, data.size() / 2), packed, false));
      check(d.compress(data.substr(data.size() / 2), packed, true));
      std::string back;
      check(inflate_message(z, packed, room, back) || data.size() > bound);
      if (data.size() <= bound) check(back == data);
    }
  }
  return 0;
}
