// HTTP/2 SETTINGS (RFC 9113 §6.5.2, RFC 8441's ENABLE_CONNECT_PROTOCOL and
// RFC 9218's NO_RFC7540_PRIORITIES):
// the values one side declares, their defaults, the range check of each, and
// the encoding of a SETTINGS payload.
//
//   settings peer;                                  // what the peer declared
//   if (error e = peer.apply_payload(frame.entries); e != error::no_error) ...
//   std::string payload; ours.encode(payload);      // the non-default entries
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "h2/frame_error.hpp"
#include "h2/frame_types.hpp"

namespace lwspp::h2 {

enum class setting_id : std::uint16_t {
  header_table_size = 0x1,
  enable_push = 0x2,
  max_concurrent_streams = 0x3,
  initial_window_size = 0x4,
  max_frame_size = 0x5,
  max_header_list_size = 0x6,
  enable_connect_protocol = 0x8,  // RFC 8441 §3
  no_rfc7540_priorities = 0x9,    // RFC 9218 §2.1
};

inline constexpr std::size_t setting_entry_size = 6;  // 16-bit id, 32-bit value
// "No limit": the initial value of MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE.
inline constexpr std::uint32_t unlimited = 0xffffffff;

// The initial values are the protocol's (§6.5.2), which hold until a SETTINGS
// frame changes them; so a default-constructed struct is "nothing declared".
struct settings {
  std::uint32_t header_table_size = 4096;
  bool enable_push = true;
  std::uint32_t max_concurrent_streams = unlimited;
  std::uint32_t initial_window_size = 65535;
  std::uint32_t max_frame_size = 16384;
  std::uint32_t max_header_list_size = unlimited;
  bool enable_connect_protocol = false;
  bool no_rfc7540_priorities = false;

  // Checks one entry and stores it. Unknown ids are ignored (§6.5.2).
  // Returns the connection error to send (protocol_error,
  // flow_control_error) or no_error; on error nothing is changed.
  error apply(std::uint16_t id, std::uint32_t value) noexcept;
  // Applies each entry of a SETTINGS payload in order (a length that is not
  // a multiple of 6 is frame_size_error). Stops at the first bad entry.
  error apply_payload(std::string_view entries) noexcept;
  // Appends the entries whose value differs from the initial one (the payload
  // of the first SETTINGS frame), in id order.
  void encode(std::string& out) const;

  friend bool operator==(const settings&, const settings&) = default;
};

// The range check alone (§6.5.2; RFC 8441 §3 for ENABLE_CONNECT_PROTOCOL).
error check_setting(std::uint16_t id, std::uint32_t value) noexcept;
// Every entry of a payload checked, nothing stored (the reader's check).
error check_settings_payload(std::string_view entries) noexcept;

// Calls fn(id, value) for each entry of a payload already checked.
template <class Fn>
void for_each_setting(std::string_view entries, Fn&& fn) {
  for (std::size_t i = 0; i + setting_entry_size <= entries.size(); i += setting_entry_size)
    fn(read_u16(entries.data() + i), read_u32(entries.data() + i + 2));
}

}  // namespace lwspp::h2
