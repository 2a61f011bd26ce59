// The "lwspp.ws" error category: one table gives each error its close code
// and its reason text (also the category's message).
#include "ws/error.hpp"

#include <string>

namespace lwspp::ws {
namespace {

struct entry {
  std::uint16_t code;
  std::string_view reason;
};

// Indexed by the error's value. Reasons are short: they go into close frames.
constexpr entry table[] = {
    {1000, "no error"},
    {1002, "reserved bits set"},
    {1002, "reserved opcode"},
    {1002, "client frame not masked"},
    {1002, "server frame masked"},
    {1002, "bad payload length"},
    {1002, "control frame too long"},
    {1002, "fragmented control frame"},
    {1002, "continuation without a message"},
    {1002, "message not finished"},
    {1002, "close payload of 1 byte"},
    {1002, "invalid close code"},
    {1007, "invalid UTF-8"},
    {1007, "bad compressed data"},
    {1009, "message too big"},
};

const entry& lookup(int value) noexcept {
  if (value < 0 || value >= static_cast<int>(std::size(table))) return table[0];
  return table[value];
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.ws"; }
  std::string message(int value) const override {
    if (value <= 0 || value >= static_cast<int>(std::size(table)))
      return "unknown lwspp.ws error " + std::to_string(value);
    return std::string(table[value].reason);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::uint16_t close_code_for(error e) noexcept {
  return lookup(static_cast<int>(e)).code;
}

std::string_view reason_for(error e) noexcept {
  return lookup(static_cast<int>(e)).reason;
}

}  // namespace lwspp::ws
