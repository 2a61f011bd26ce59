// The global operator new and delete, every form, for the programs that
// walk allocation failures (fault_alloc_test): the Nth allocation made on a
// thread after fault::arm(site::alloc, N) throws std::bad_alloc (the
// nothrow forms return null). Linked into those tests only, never into the
// library. Unarmed, an allocation costs one thread-local increment more.
#include <algorithm>
#include <cstdlib>
#include <new>

#include "util/fault.hpp"

namespace {

void* allocate(std::size_t n) {
  if (lwspp::fault::hit(lwspp::fault::site::alloc)) throw std::bad_alloc();
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}

void* allocate(std::size_t n, std::align_val_t a) {
  if (lwspp::fault::hit(lwspp::fault::site::alloc)) throw std::bad_alloc();
  void* p = nullptr;
  const auto align = std::max(static_cast<std::size_t>(a), sizeof(void*));
  if (::posix_memalign(&p, align, n ? n : 1) == 0) return p;
  throw std::bad_alloc();
}

template <class... A>
void* allocate_or_null(std::size_t n, A... a) noexcept {
  try {
    return allocate(n, a...);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

}  // namespace

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate(n, a);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return allocate_or_null(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return allocate_or_null(n);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_or_null(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_or_null(n, a);
}

// Every delete is free(): both allocators above take from malloc.
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
