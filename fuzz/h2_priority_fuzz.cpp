// libFuzzer target: the RFC 9218 priority field value parser. Any bytes give
// an urgency in 0..7; a value parsed once gives the same result when parsed
// again with that result as its base (a valid dictionary sets what it sets;
// an invalid one leaves the base alone).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "h2/priority.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view v(reinterpret_cast<const char*>(data), size);
  using lwspp::h2::priority;
  const priority first = lwspp::h2::parse_priority(v);
  if (first.urgency > 7) std::abort();
  const priority other{static_cast<std::uint8_t>(7 - first.urgency), !first.incremental};
  const priority from_other = lwspp::h2::parse_priority(v, other);
  // Whatever the value sets, it sets from any base; what it does not set
  // stays as the base had it.
  const priority again = lwspp::h2::parse_priority(v, from_other);
  if (!(again == from_other)) std::abort();
  return 0;
}
