// Random bytes from the kernel's CSPRNG (getrandom(2)), buffered per thread
// so that a WebSocket client's mask key (4 bytes per frame, RFC 6455 §5.3:
// "derived from a strong source of entropy") costs a copy, not a system
// call: one getrandom() serves 256 keys.
#pragma once
#include <cstddef>
#include <span>

namespace lwspp::util {

// Fills `out` with bytes from the kernel's CSPRNG. Loop thread or any thread.
void random_bytes(std::span<std::byte> out) noexcept;

}  // namespace lwspp::util
