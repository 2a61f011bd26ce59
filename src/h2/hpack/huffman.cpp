// Huffman encoding with a 64-bit accumulator, and decoding by a 4-bit state
// machine: each nibble is one table lookup, which gives the next state and
// at most one symbol (no code is shorter than 5 bits).
#include "h2/hpack/huffman.hpp"

namespace lwspp::h2::hpack {
namespace {

struct huffman_code {
  std::uint32_t code;
  std::uint8_t bits;
};

struct decode_entry {
  std::uint8_t next;   // state after the nibble (an internal node; 0 = root)
  std::uint8_t flags;  // emit_symbol | decode_failed | may_end
  std::uint8_t sym;    // the symbol, when emit_symbol
};

constexpr std::uint8_t emit_symbol = 1;
constexpr std::uint8_t decode_failed = 2;  // EOS decoded
constexpr std::uint8_t may_end = 4;        // the bits since the last symbol are valid padding

#include "h2/hpack/huffman_table.inc"

}  // namespace

std::size_t huffman_size(std::string_view s) noexcept {
  std::size_t bits = 0;
  for (const char c : s)
    bits += codes[static_cast<std::uint8_t>(c)].bits;
  return (bits + 7) / 8;
}

void huffman_encode(std::string_view s, char* out) noexcept {
  std::uint64_t acc = 0;  // pending bits, right-aligned
  int n = 0;              // how many
  for (const char c : s) {
    const huffman_code& h = codes[static_cast<std::uint8_t>(c)];
    acc = (acc << h.bits) | h.code;
    n += h.bits;
    // At most 7 + 30 bits pending: write whole bytes while there are any.
    while (n >= 8) {
      n -= 8;
      *out++ = static_cast<char>(acc >> n);
    }
  }
  if (n > 0) *out = static_cast<char>((acc << (8 - n)) | (0xffu >> n));
}

std::ptrdiff_t huffman_decode(std::span<const std::uint8_t> in, char* out) noexcept {
  char* const start = out;
  std::uint8_t state = 0;
  std::uint8_t flags = may_end;  // the empty string is valid
  for (const std::uint8_t b : in) {
    const decode_entry& hi = decode_table[state][b >> 4];
    if (hi.flags & decode_failed) return -1;
    if (hi.flags & emit_symbol) *out++ = static_cast<char>(hi.sym);
    const decode_entry& lo = decode_table[hi.next][b & 0x0f];
    if (lo.flags & decode_failed) return -1;
    if (lo.flags & emit_symbol) *out++ = static_cast<char>(lo.sym);
    state = lo.next;
    flags = lo.flags;
  }
  if (!(flags & may_end)) return -1;
  return out - start;
}

}  // namespace lwspp::h2::hpack
