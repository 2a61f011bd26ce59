// A shift-based DFA for UTF-8: the state is a bit offset (a multiple of 6),
// and row[byte] packs, for every state s, the next state at bits s..s+5. One
// step is `state = (row[byte] >> state) & 63`: a load that does not depend on
// the state, a shift and a mask, so that a byte costs a couple of cycles.
// Reject is 0 and rows hold 0 for every invalid transition, so a failed state
// stays failed.
#include "util/utf8.hpp"

#include <array>
#include <cstddef>
#include <cstring>

namespace lwspp::util {
namespace {

// States: what the next byte must be.
constexpr unsigned reject = utf8_validator::reject_state;
constexpr unsigned accept = utf8_validator::accept_state;
constexpr unsigned cont1 = 12;     // one continuation byte 80-BF ends the sequence
constexpr unsigned cont2 = 18;     // two more continuation bytes
constexpr unsigned cont3 = 24;     // three more continuation bytes
constexpr unsigned after_e0 = 30;  // A0-BF, then one more (no overlong 3-byte form)
constexpr unsigned after_ed = 36;  // 80-9F, then one more (no surrogates)
constexpr unsigned after_f0 = 42;  // 90-BF, then two more (no overlong 4-byte form)
constexpr unsigned after_f4 = 48;  // 80-8F, then two more (nothing over U+10FFFF)

constexpr unsigned next_state(unsigned state, unsigned b) {
  if (state == accept) {
    if (b < 0x80) return accept;
    if (b >= 0xC2 && b <= 0xDF) return cont1;
    if (b == 0xE0) return after_e0;
    if (b == 0xED) return after_ed;
    if (b >= 0xE1 && b <= 0xEF) return cont2;
    if (b == 0xF0) return after_f0;
    if (b >= 0xF1 && b <= 0xF3) return cont3;
    if (b == 0xF4) return after_f4;
    return reject;  // 80-BF (no lead byte), C0-C1 (overlong), F5-FF
  }
  const bool cont = b >= 0x80 && b <= 0xBF;
  switch (state) {
    case cont1:
      return cont ? accept : reject;
    case cont2:
      return cont ? cont1 : reject;
    case cont3:
      return cont ? cont2 : reject;
    case after_e0:
      return b >= 0xA0 && b <= 0xBF ? cont1 : reject;
    case after_ed:
      return b >= 0x80 && b <= 0x9F ? cont1 : reject;
    case after_f0:
      return b >= 0x90 && b <= 0xBF ? cont2 : reject;
    case after_f4:
      return b >= 0x80 && b <= 0x8F ? cont2 : reject;
    default:
      return reject;
  }
}

constexpr std::array<std::uint64_t, 256> make_rows() {
  std::array<std::uint64_t, 256> rows{};
  constexpr unsigned states[] = {accept,   cont1,    cont2,    cont3,
                                 after_e0, after_ed, after_f0, after_f4};
  for (unsigned b = 0; b < 256; ++b) {
    std::uint64_t row = 0;
    for (unsigned s : states)
      row |= std::uint64_t{next_state(s, b)} << s;
    rows[b] = row;
  }
  return rows;
}

constexpr std::array<std::uint64_t, 256> rows = make_rows();

constexpr std::uint64_t high_bits = 0x8080808080808080ULL;

std::uint64_t load8(const unsigned char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

bool utf8_validator::feed(std::string_view piece) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  const unsigned char* const end = p + piece.size();
  std::uint64_t state = state_;
  while (p != end) {
    if (state == accept) {
      // Between sequences: skip ASCII 32 bytes at a time.
      while (end - p >= 32 &&
             ((load8(p) | load8(p + 8) | load8(p + 16) | load8(p + 24)) & high_bits) == 0)
        p += 32;
      if (end - p >= 8 && (load8(p) & high_bits) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char* const stop = end - p > 16 ? p + 16 : end;
    for (; p != stop; ++p)
      state = (rows[*p] >> state) & 63;
    if (state == reject) break;
  }
  state_ = static_cast<std::uint8_t>(state);
  return state != reject;
}

bool is_valid_utf8(std::string_view s) noexcept {
  utf8_validator v;
  return v.feed(s) && v.complete();
}

}  // namespace lwspp::util
