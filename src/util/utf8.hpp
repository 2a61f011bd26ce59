// UTF-8 validation (RFC 3629, Unicode table 3-7): incremental, for text that
// arrives in pieces split anywhere (WebSocket text messages and close
// reasons; MQTT strings later).
//
// Fails as soon as the bytes seen cannot be the start of valid UTF-8: an
// invalid byte (C0, C1, F5-FF), an unexpected or missing continuation byte,
// an overlong form, a surrogate (U+D800-DFFF) or a code point over U+10FFFF.
// Noncharacters (U+FFFE, U+FDD0, ...) are valid UTF-8 and pass.
//
// Speed: ASCII is checked 32 bytes per step (four 8-byte words); other bytes
// go through a shift-based DFA, 16 bytes per step, one table load, shift and
// mask per byte, with the state checked once per step.
#pragma once
#include <cstdint>
#include <string_view>

namespace lwspp::util {

class utf8_validator {
 public:
  // Validates the next piece. False once the input so far cannot become
  // valid UTF-8; the validator then stays failed until reset().
  bool feed(std::string_view piece) noexcept;
  // True when the input so far is valid and complete: no sequence is open.
  // A message that ends when this is false ends mid-sequence: invalid.
  bool complete() const noexcept { return state_ == accept_state; }
  bool failed() const noexcept { return state_ == reject_state; }
  void reset() noexcept { state_ = accept_state; }

  // DFA states are bit offsets into a 64-bit row per byte value (see utf8.cpp).
  static constexpr std::uint8_t reject_state = 0;
  static constexpr std::uint8_t accept_state = 6;

 private:
  std::uint8_t state_ = accept_state;
};

// The whole of `s` is valid, complete UTF-8.
bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace lwspp::util
