// Close payloads: parsing a received one, writing one to send.
#include "ws/close_payload.hpp"

#include "util/utf8.hpp"

namespace lwspp::ws {

close_parse parse_close_payload(std::string_view payload) noexcept {
  close_parse r;
  if (payload.empty()) return r;  // no status code: reported as 1005
  if (payload.size() == 1) {
    r.err = error::bad_close_payload;
    return r;
  }
  const auto hi = static_cast<unsigned char>(payload[0]);
  const auto lo = static_cast<unsigned char>(payload[1]);
  r.info.code = static_cast<std::uint16_t>(hi << 8 | lo);
  r.info.reason = payload.substr(2);
  if (!close_code_sendable(r.info.code)) {
    r.err = error::bad_close_code;
  } else if (!util::is_valid_utf8(r.info.reason)) {
    r.err = error::invalid_utf8;
  }
  return r;
}

close_write write_close_payload(std::uint16_t code, std::string_view reason,
                                std::span<char, max_control_payload> out) noexcept {
  if (code == 0) return {0, reason.empty()};
  if (!close_code_sendable(code) || reason.size() > max_close_reason ||
      !util::is_valid_utf8(reason))
    return {};
  out[0] = static_cast<char>(code >> 8);
  out[1] = static_cast<char>(code & 0xFF);
  for (std::size_t i = 0; i < reason.size(); ++i)
    out[2 + i] = reason[i];
  return {2 + reason.size(), true};
}

}  // namespace lwspp::ws
