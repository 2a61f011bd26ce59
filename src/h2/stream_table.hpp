// The open streams of a server session, by id. Clients open streams in
// increasing id order (RFC 9113 §5.1.1), so a vector kept in that order by
// appending is sorted: lookups are a binary search over at most
// max_concurrent_streams entries, and opening or closing a stream allocates
// nothing (a hash map allocated a node per request).
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "h2/stream.hpp"

namespace lwspp::h2 {

class stream_table {
 public:
  using owned = std::unique_ptr<stream>;

  stream* find(std::uint32_t id) const noexcept {
    const auto it = lower(id);
    return it != v_.end() && (*it)->stream_id == id ? it->get() : nullptr;
  }
  // s's id is above every id in the table.
  void add(owned s) { v_.push_back(std::move(s)); }
  // Removes the stream with this id and returns it (null if none).
  owned take(std::uint32_t id) noexcept {
    const auto it = v_.begin() + (lower(id) - v_.cbegin());
    if (it == v_.end() || (*it)->stream_id != id) return nullptr;
    owned s = std::move(*it);
    v_.erase(it);
    return s;
  }
  std::size_t size() const noexcept { return v_.size(); }
  bool empty() const noexcept { return v_.empty(); }
  // In id order; the table must not change during the loop.
  auto begin() const noexcept { return v_.begin(); }
  auto end() const noexcept { return v_.end(); }

 private:
  std::vector<owned>::const_iterator lower(std::uint32_t id) const noexcept {
    return std::lower_bound(v_.begin(), v_.end(), id,
                            [](const owned& s, std::uint32_t i) { return s->stream_id < i; });
  }
  std::vector<owned> v_;
};

}  // namespace lwspp::h2
