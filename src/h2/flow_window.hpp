// HTTP/2 flow-control windows (RFC 9113 §6.9), one per direction for the
// connection and for each stream.
//
// send_window: what the peer lets us send. A SETTINGS change of the initial
// window may take it below zero (§6.9.2); only WINDOW_UPDATEs bring it back.
// recv_window: what we let the peer send, and when to give credit back: the
// owner reports consumed bytes and sends a WINDOW_UPDATE once half of the
// window has been consumed (few updates for a fast reader, and a slow one
// never holds more than the window).
#pragma once
#include <cstdint>

#include "h2/frame_types.hpp"

namespace lwspp::h2 {

struct send_window {
  std::int64_t size = 65535;

  // False (and unchanged) when the window would pass 2^31-1: FLOW_CONTROL_ERROR.
  bool grow(std::int64_t n) noexcept {
    if (size + n > std::int64_t{max_window_size}) return false;
    size += n;
    return true;
  }
  void take(std::uint32_t n) noexcept { size -= n; }
};

struct recv_window {
  std::uint32_t target = 65535;  // the window we keep granting
  std::int64_t left = 65535;     // what the peer may still send
  std::uint32_t unacked = 0;     // consumed, not yet given back

  explicit recv_window(std::uint32_t initial = 65535) : target(initial), left(initial) {}
  // A DATA frame of n bytes (padding included) arrived: false when it
  // overruns the window (FLOW_CONTROL_ERROR).
  bool receive(std::uint32_t n) noexcept {
    if (std::int64_t{n} > left) return false;
    left -= n;
    return true;
  }
  // n received bytes were used (or dropped): they may be granted again.
  void consumed(std::uint32_t n) noexcept { unacked += n; }
  // The WINDOW_UPDATE increment to send now, or 0 while under half the window.
  std::uint32_t take_update() noexcept {
    if (unacked == 0 || unacked < target / 2) return 0;
    const std::uint32_t n = unacked;
    unacked = 0;
    left += n;
    return n;
  }
};

}  // namespace lwspp::h2
