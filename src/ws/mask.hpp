// Masking of WebSocket payloads (RFC 6455 §5.3): payload byte i is XORed
// with key[(i + phase) % 4]. A frame's payload may arrive in several pieces,
// so the phase (the index into the key of the next byte) is carried from one
// call to the next. Both functions work a vector at a time (AVX2 when the CPU
// has it, else SSE2 on x86-64, else 8-byte words), never byte by byte except
// at the ends.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace lwspp::ws {

using mask_key = std::array<std::uint8_t, 4>;

// XORs data[0..n) with the key in place, starting at key index `phase`
// (0-3). Returns the phase for the byte after the last: (phase + n) % 4.
unsigned apply_mask(char* data, std::size_t n, mask_key key, unsigned phase) noexcept;

// Writes in[0..n) masked into out[0..n) (client frames: the caller's payload
// stays unchanged). `in` and `out` may be the same pointer, not otherwise
// overlap. Returns the next phase.
unsigned copy_masked(const char* in, char* out, std::size_t n, mask_key key,
                     unsigned phase) noexcept;

// Which implementation apply_mask uses on this CPU: "avx2", "sse2" or "word".
const char* mask_implementation() noexcept;

}  // namespace lwspp::ws
