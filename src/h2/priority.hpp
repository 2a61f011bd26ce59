// The Extensible Prioritization Scheme (RFC 9218): a response's urgency
// (0 most urgent .. 7, default 3) and whether it may be sent interleaved
// with others of its urgency (incremental, default no), from the `priority`
// request field or a PRIORITY_UPDATE frame's value.
//
// The value is a Structured Fields dictionary (RFC 8941 §3.2). A value that
// does not parse as one is ignored as a whole; within one, members other
// than u and i, out-of-range urgencies, a non-boolean i and any parameters
// are ignored (RFC 9218 §4).
#pragma once
#include <cstdint>
#include <string_view>

namespace lwspp::h2 {

struct priority {
  std::uint8_t urgency = 3;
  bool incremental = false;
  friend bool operator==(const priority&, const priority&) = default;
};

// `base` with the members the value sets changed; `base` unchanged when the
// value is not a valid dictionary.
priority parse_priority(std::string_view value, priority base = {}) noexcept;

}  // namespace lwspp::h2
