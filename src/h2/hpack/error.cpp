// The "lwspp.hpack" error category: one table of reasons, indexed by value.
#include "h2/hpack/error.hpp"

#include <string>

namespace lwspp::h2::hpack {
namespace {

constexpr std::string_view reasons[] = {
    "no error",
    "HPACK block truncated",
    "HPACK integer overflow",
    "HPACK string too long",
    "bad Huffman data",
    "HPACK index out of range",
    "dynamic table size update over the maximum",
    "dynamic table size update after a field",
    "dynamic table size update missing",
    "header list too large",
};

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.hpack"; }
  std::string message(int value) const override {
    if (value <= 0 || value >= static_cast<int>(std::size(reasons)))
      return "unknown lwspp.hpack error " + std::to_string(value);
    return std::string(reasons[value]);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::string_view reason_for(error e) noexcept {
  const auto v = static_cast<std::size_t>(e);
  return v < std::size(reasons) ? reasons[v] : reasons[0];
}

}  // namespace lwspp::h2::hpack
