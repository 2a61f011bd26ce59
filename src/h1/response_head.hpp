// Serializing HTTP/1.1 response heads and chunked body framing (RFC 9112
// §4, §6, §7.1). Appends to a caller's buffer; no allocation beyond it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lwspp::h1 {

enum class body_framing : std::uint8_t {
  length,       // Content-Length
  chunked,      // Transfer-Encoding: chunked
  none,         // 1xx, 204, 304: no body and no length
  until_close,  // HTTP/1.0 peer, unknown length: the body ends with the connection
};

struct head_params {
  int status = 200;
  body_framing framing = body_framing::length;
  std::uint64_t length = 0;  // for body_framing::length
  bool keep_alive = true;
  bool peer_is_1_0 = false;  // a 1.0 peer that keeps alive needs "Connection: keep-alive"
};

// Status line, Date, the fixed and per-response fields ("name: value\r\n"
// each), framing and Connection, and the blank line.
void append_head(std::string& out, const head_params& p, std::string_view fixed_fields,
                 std::string_view fields);

// "<hex size>\r\n<data>\r\n" (nothing for empty data: that would end the body).
void append_chunk(std::string& out, std::string_view data);

inline constexpr std::string_view last_chunk = "0\r\n\r\n";
inline constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

// True for statuses whose responses never carry a body.
constexpr bool status_has_no_body(int status) noexcept {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace lwspp::h1
