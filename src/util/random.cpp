#include "util/random.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace lwspp::util {
namespace {

constexpr std::size_t pool_size = 1024;

struct pool {
  std::byte bytes[pool_size];
  std::size_t left = 0;  // unused bytes at the end of `bytes`
};

// getrandom() without flags blocks only until the kernel's pool is first
// initialised (early boot). Reads over 256 bytes may be cut short by a
// signal: read until full.
void fill(std::byte* out, std::size_t n) noexcept {
  while (n > 0) {
    const ssize_t got = ::getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::abort();  // no randomness at all: nothing safe can go on
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
}

}  // namespace

void random_bytes(std::span<std::byte> out) noexcept {
  if (out.size() > pool_size / 4) {
    fill(out.data(), out.size());
    return;
  }
  thread_local pool p;
  std::size_t done = 0;
  while (done < out.size()) {
    if (p.left == 0) {
      fill(p.bytes, pool_size);
      p.left = pool_size;
    }
    const std::size_t n = std::min(out.size() - done, p.left);
    std::byte* from = p.bytes + (pool_size - p.left);
    std::memcpy(out.data() + done, from, n);
    std::memset(from, 0, n);  // a byte handed out is not kept
    p.left -= n;
    done += n;
  }
}

}  // namespace lwspp::util
