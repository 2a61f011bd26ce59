// The "lwspp.h2" error category: the RFC 9113 names of the wire codes.
#include "h2/frame_error.hpp"

namespace lwspp::h2 {
namespace {

// Indexed by the wire value.
constexpr std::string_view names[] = {
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED",
};
static_assert(std::size(names) == last_known_error + 1);

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.h2"; }
  std::string message(int value) const override {
    const auto code = static_cast<std::uint32_t>(value);
    if (code > last_known_error) return "unknown HTTP/2 error " + std::to_string(code);
    return std::string(names[code]);
  }
};

}  // namespace

std::string_view wire_name(error e) noexcept {
  const auto code = static_cast<std::uint32_t>(e);
  return code <= last_known_error ? names[code] : "UNKNOWN_ERROR";
}

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

error_info frame_error::info() const {
  std::string detail = connection() ? "connection error" : "stream error";
  detail += " at byte " + std::to_string(offset);
  if (stream_id != 0) detail += " (stream " + std::to_string(stream_id) + ")";
  detail += ": ";
  detail += reason;
  return {make_error_code(code), std::move(detail)};
}

}  // namespace lwspp::h2
