// libFuzzer target for util::utf8_validator (src/util/utf8.cpp) against a
// plain code-point-by-code-point reference, whole and split at two points
// picked by the first two bytes. Also checks fail-fast: once the validator
// fails on a prefix, the reference must reject every extension of it, which
// is checked by asking whether some continuation could make the prefix
// valid (the reference tells by trying the longest valid completion).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/utf8.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Decodes s; returns 0 valid, 1 invalid, 2 valid so far but ends inside a
// sequence (a prefix of valid UTF-8).
int reference(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3, cp = b & 0x07;
    } else {
      return 1;
    }
    // The second byte's range decides overlongs, surrogates and > U+10FFFF.
    unsigned lo = 0x80, hi = 0xBF;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return 2;
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 1;
      cp = cp << 6 | (c & 0x3F);
    }
    i += n + 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view s(reinterpret_cast<const char*>(bytes) + 2, size - 2);
  const std::size_t a = bytes[0] * s.size() / 255;
  const std::size_t b = a + bytes[1] * (s.size() - a) / 255;
  const int want = reference(s);
  check(lwspp::util::is_valid_utf8(s) == (want == 0));

  lwspp::util::utf8_validator v;
  const bool ok1 = v.feed(s.substr(0, a));
  check(ok1 == (reference(s.substr(0, a)) != 1));  // fails exactly when no completion exists
  const bool ok2 = v.feed(s.substr(a, b - a));
  check(ok2 == (ok1 && reference(s.substr(0, b)) != 1));
  const bool ok3 = v.feed(s.substr(b));
  check(ok3 == (want != 1));
  check(v.complete() == (want == 0));
  return 0;
}
