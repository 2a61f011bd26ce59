// Static table lookups: by index directly; by name through a copy grouped by
// name length, so a name is compared only with the few of its length.
#include "h2/hpack/static_table.hpp"

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
  static_match m;
  if (name.size() + 1 >= std::size(by_length)) return m;
  const static_ref* it = static_by_name + by_length[name.size()];
  const static_ref* const end = static_by_name + by_length[name.size() + 1];
  // Same-length names are few (at most 8); entries of one name are adjacent.
  while (it != end && (it->name[0] != name[0] || it->name != name))
    ++it;
  if (it == end) return m;
  m.name = it->index;  // any entry of the name serves as a name reference
  for (; it != end && it->name == name; ++it) {
    if (it->value == value) {
      m.full = it->index;
      break;
    }
  }
  return m;
}

}  // namespace lwspp::h2::hpack
