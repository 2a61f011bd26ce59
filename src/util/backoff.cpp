// Jittered exponential backoff. See backoff.hpp.
#include "util/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "util/random.hpp"

namespace lwspp::util {

std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds initial,
                                           std::chrono::milliseconds max, double multiplier,
                                           double jitter, unsigned n) {
  double d = static_cast<double>(initial.count()) *
             std::pow(std::max(multiplier, 1.0), static_cast<double>(n));
  d = std::min(d, static_cast<double>(max.count()));
  std::uint32_t bits = 0;
  random_bytes(std::as_writable_bytes(std::span(&bits, 1)));
  const double u = static_cast<double>(bits) / 4294967296.0;  // [0, 1)
  d -= d * std::clamp(jitter, 0.0, 1.0) * u;
  return std::chrono::milliseconds(static_cast<std::int64_t>(d));
}

}  // namespace lwspp::util
