// Masking a vector at a time. Every implementation XORs with the key
// rotated to the current phase and repeated to the vector's width; as every
// width is a multiple of 4, the phase only moves at the end of a call.
#include "ws/mask.hpp"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lwspp::ws {
namespace {

// The key starting at `phase`, repeated to 8 bytes, as memory lays it out.
std::uint64_t key_word(mask_key key, unsigned phase) noexcept {
  unsigned char bytes[8];
  for (unsigned i = 0; i < 8; ++i)
    bytes[i] = key[(phase + i) & 3];
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

// 8 bytes a step, then the last 0-7 bytes one by one.
void mask_words(const char* in, char* out, std::size_t n, std::uint64_t key) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, in + i, sizeof v);
    v ^= key;
    std::memcpy(out + i, &v, sizeof v);
  }
  unsigned char kb[8];
  std::memcpy(kb, &key, sizeof kb);
  for (std::size_t j = 0; i < n; ++i, ++j)
    out[i] = static_cast<char>(in[i] ^ static_cast<char>(kb[j]));
}

using mask_fn = void (*)(const char*, char*, std::size_t, std::uint64_t) noexcept;

#if defined(__x86_64__)
// x86-64 always has SSE2: 64 bytes per loop turn, four independent vectors.
void mask_sse2(const char* in, char* out, std::size_t n, std::uint64_t key) noexcept {
  const __m128i k = _mm_set1_epi64x(static_cast<long long>(key));
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const auto* s = reinterpret_cast<const __m128i*>(in + i);
    auto* d = reinterpret_cast<__m128i*>(out + i);
    const __m128i a = _mm_loadu_si128(s);
    const __m128i b = _mm_loadu_si128(s + 1);
    const __m128i c = _mm_loadu_si128(s + 2);
    const __m128i e = _mm_loadu_si128(s + 3);
    _mm_storeu_si128(d, _mm_xor_si128(a, k));
    _mm_storeu_si128(d + 1, _mm_xor_si128(b, k));
    _mm_storeu_si128(d + 2, _mm_xor_si128(c, k));
    _mm_storeu_si128(d + 3, _mm_xor_si128(e, k));
  }
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_xor_si128(a, k));
  }
  mask_words(in + i, out + i, n - i, key);
}

__attribute__((target("avx2"))) void mask_avx2(const char* in, char* out, std::size_t n,
                                               std::uint64_t key) noexcept {
  const __m256i k = _mm256_set1_epi64x(static_cast<long long>(key));
  std::size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const auto* s = reinterpret_cast<const __m256i*>(in + i);
    auto* d = reinterpret_cast<__m256i*>(out + i);
    const __m256i a = _mm256_loadu_si256(s);
    const __m256i b = _mm256_loadu_si256(s + 1);
    const __m256i c = _mm256_loadu_si256(s + 2);
    const __m256i e = _mm256_loadu_si256(s + 3);
    _mm256_storeu_si256(d, _mm256_xor_si256(a, k));
    _mm256_storeu_si256(d + 1, _mm256_xor_si256(b, k));
    _mm256_storeu_si256(d + 2, _mm256_xor_si256(c, k));
    _mm256_storeu_si256(d + 3, _mm256_xor_si256(e, k));
  }
  for (; i + 32 <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_xor_si256(a, k));
  }
  // The tail in 8-byte words: calling the SSE2 (non-VEX) code from here
  // would mix encodings with the upper halves dirty.
  mask_words(in + i, out + i, n - i, key);
}
#endif

struct implementation {
  mask_fn fn;
  const char* name;
};

implementation pick() noexcept {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return {mask_avx2, "avx2"};
  return {mask_sse2, "sse2"};
#else
  return {mask_words, "word"};
#endif
}

const implementation& chosen() noexcept {
  static const implementation impl = pick();
  return impl;
}

}  // namespace

unsigned copy_masked(const char* in, char* out, std::size_t n, mask_key key,
                     unsigned phase) noexcept {
  const std::uint64_t k = key_word(key, phase & 3);
  // Small payloads (most chat-sized messages) skip the indirect call.
  if (n < 32) {
    mask_words(in, out, n, k);
  } else {
    chosen().fn(in, out, n, k);
  }
  return static_cast<unsigned>((phase + n) & 3);
}

unsigned apply_mask(char* data, std::size_t n, mask_key key, unsigned phase) noexcept {
  return copy_masked(data, data, n, key, phase);
}

const char* mask_implementation() noexcept {
  return chosen().name;
}

}  // namespace lwspp::ws
