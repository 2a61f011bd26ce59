// Jittered exponential backoff, shared by every client that waits before
// trying again (WebSocket reconnects, HTTP retries): the wait for step n
// (from 0) is min(max, initial * multiplier^n), less a random part of up to
// `jitter` of it, so that many clients that failed together do not come
// back together.
#pragma once
#include <chrono>

namespace lwspp::util {

std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds initial,
                                           std::chrono::milliseconds max, double multiplier,
                                           double jitter, unsigned n);

}  // namespace lwspp::util
