// A counting allocator for codec libraries (zlib, brotli): every block
// carries its size in a 16-byte prefix (which keeps max_align_t alignment),
// so that freeing it can subtract it again. `counter` then says how many
// bytes one stream's codec state holds: the figure a memory() accessor
// reports and the tests bound.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace lwspp::util {

inline constexpr std::size_t counted_alloc_prefix = 16;

inline void* counted_alloc(std::size_t* counter, std::size_t n) noexcept {
  if (n > SIZE_MAX - counted_alloc_prefix) return nullptr;
  auto* p = static_cast<unsigned char*>(std::malloc(n + counted_alloc_prefix));
  if (p == nullptr) return nullptr;
  *reinterpret_cast<std::size_t*>(p) = n;
  *counter += n;
  return p + counted_alloc_prefix;
}

inline void counted_free(std::size_t* counter, void* address) noexcept {
  if (address == nullptr) return;
  auto* p = static_cast<unsigned char*>(address) - counted_alloc_prefix;
  *counter -= *reinterpret_cast<std::size_t*>(p);
  std::free(p);
}

// zlib's zalloc/zfree signatures, with `opaque` pointing at the counter.
// Declared with plain types so that this header does not need zlib.h.
inline void* counted_zalloc(void* opaque, unsigned items, unsigned size) noexcept {
  return counted_alloc(static_cast<std::size_t*>(opaque), std::size_t{items} * size);
}
inline void counted_zfree(void* opaque, void* address) noexcept {
  counted_free(static_cast<std::size_t*>(opaque), address);
}

}  // namespace lwspp::util
