// Static table lookups: by index directly; by name through a copy sorted by
// (name, value), so the encoder binary-searches 61 entries in 6 steps.
#include "h2/hpack/static_table.hpp"

#include <algorithm>
#include <iterator>

namespace lwspp::h2::hpack {
namespace {

struct static_ref {
  std::string_view name;
  std::string_view value;
  std::uint32_t index;
};

#include "h2/hpack/static_table.inc"

}  // namespace

const static_entry& static_at(std::uint32_t index) noexcept {
  return static_entries[index];
}

static_match static_find(std::string_view name, std::string_view value) noexcept {
  const auto* it =
      std::lower_bound(std::begin(static_by_name), std::end(static_by_name), name,
                       [](const static_ref& r, std::string_view n) { return r.name < n; });
  static_match m;
  // Any entry of the name serves as a name reference; they cost the same.
  if (it != std::end(static_by_name) && it->name == name) m.name = it->index;
  for (; it != std::end(static_by_name) && it->name == name; ++it) {
    if (it->value == value) {
      m.full = it->index;
      break;
    }
  }
  return m;
}

}  // namespace lwspp::h2::hpack
