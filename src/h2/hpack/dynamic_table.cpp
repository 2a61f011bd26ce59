// The dynamic table's ring of records over one byte buffer (see the header).
#include "h2/hpack/dynamic_table.hpp"

#include <algorithm>
#include <cstring>

namespace lwspp::h2::hpack {
namespace {

// A name's key for lookups: its first and last 4 bytes (all of a shorter
// one). Names of one length that share both are rare, and cost only a
// compare; nothing is read past the name.
std::uint64_t name_key(std::string_view s) noexcept {
  std::uint32_t head = 0;
  std::uint32_t tail = 0;
  if (s.size() >= 4) {
    std::memcpy(&head, s.data(), 4);
    std::memcpy(&tail, s.data() + s.size() - 4, 4);
  } else {
    std::memcpy(&head, s.data(), s.size());
  }
  return (std::uint64_t{tail} << 32) | head;
}

}  // namespace

dynamic_table::dynamic_table(std::uint32_t max_size, bool lookups)
    : max_size_(max_size), lookups_(lookups) {}

dynamic_table::entry dynamic_table::at(std::uint32_t pos) const noexcept {
  const slot& s = slot_at(pos);
  const char* p = buf_.get() + s.offset;
  return {{p, s.name_len}, {p + s.name_len, s.value_len}};
}

void dynamic_table::evict_oldest() noexcept {
  const slot& s = slot_at(count_ - 1);
  size_ -= s.name_len + s.value_len + entry_overhead;
  --count_;
  buf_begin_ = count_ == 0 ? 0 : slot_at(count_ - 1).offset;
  if (count_ == 0) buf_end_ = 0;
}

void dynamic_table::set_max_size(std::uint32_t max_size) {
  max_size_ = max_size;
  while (size_ > max_size_)
    evict_oldest();
  if (max_size_ == 0) {  // a peer that turns the table off gets its memory back
    buf_.reset();
    buf_cap_ = 0;
    slots_ = {};
  }
}

void dynamic_table::make_room(std::uint32_t bytes) {
  if (buf_end_ + bytes <= buf_cap_) return;
  const std::uint32_t live = buf_end_ - buf_begin_;
  const std::uint32_t need = live + bytes;  // <= max_size_: the entries fit the table
  if (need > buf_cap_ / 2 || !buf_) {
    // Twice what is needed (within twice the maximum) leaves room for as
    // many bytes again before the next move.
    const std::uint64_t want =
        std::min<std::uint64_t>(std::max<std::uint64_t>(2ull * need, 256), 2ull * max_size_);
    const auto cap = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(want, need, UINT32_MAX));
    auto fresh = std::make_unique<char[]>(cap);
    if (live) std::memcpy(fresh.get(), buf_.get() + buf_begin_, live);
    buf_ = std::move(fresh);
    buf_cap_ = cap;
  } else if (live) {
    std::memmove(buf_.get(), buf_.get() + buf_begin_, live);
  }
  for (std::uint32_t pos = 0; pos < count_; ++pos)
    slots_[(newest_ - pos) & (slots_.size() - 1)].offset -= buf_begin_;
  buf_begin_ = 0;
  buf_end_ = live;
}

void dynamic_table::grow_slots() {
  // Power-of-two ring; the records are reordered oldest-first from 0.
  std::vector<slot> fresh(std::max<std::size_t>(16, slots_.size() * 2));
  for (std::uint32_t i = 0; i < count_; ++i)
    fresh[i] = slot_at(count_ - 1 - i);
  newest_ = count_ - 1;  // wraps to the last slot when empty: the next insert lands at 0
  slots_ = std::move(fresh);
}

void dynamic_table::insert(std::string_view name, std::string_view value) {
  const std::uint64_t esize = std::uint64_t{name.size()} + value.size() + entry_overhead;
  if (esize > max_size_) {
    while (count_)
      evict_oldest();
    return;
  }
  while (size_ + esize > max_size_)
    evict_oldest();
  const auto bytes = static_cast<std::uint32_t>(name.size() + value.size());
  make_room(bytes);
  if (count_ == slots_.size()) grow_slots();
  slot& s = slots_[++newest_ & (slots_.size() - 1)];
  newest_ &= static_cast<std::uint32_t>(slots_.size() - 1);
  s.offset = buf_end_;
  s.name_len = static_cast<std::uint32_t>(name.size());
  s.value_len = static_cast<std::uint32_t>(value.size());
  if (!name.empty()) std::memcpy(buf_.get() + buf_end_, name.data(), name.size());
  if (!value.empty()) std::memcpy(buf_.get() + buf_end_ + name.size(), value.data(), value.size());
  if (lookups_) s.name_key = name_key(name);
  if (count_ == 0) buf_begin_ = buf_end_;
  buf_end_ += bytes;
  ++count_;
  size_ += static_cast<std::uint32_t>(esize);
}

dynamic_table::match dynamic_table::find(std::string_view name,
                                         std::string_view value) const noexcept {
  // A value is compared only where the name's key, its length and then the
  // name agree: memcmp does the rest fast.
  match m;
  if (count_ == 0) return m;
  const std::uint64_t key = name_key(name);
  for (std::uint32_t pos = 0; pos < count_; ++pos) {
    const slot& s = slot_at(pos);
    if (s.name_key != key || s.name_len != name.size()) continue;
    const entry e = at(pos);
    if (e.name != name) continue;
    if (m.name == 0) m.name = pos + 1;
    if (s.value_len == value.size() && e.value == value) {
      m.full = pos + 1;
      break;
    }
  }
  return m;
}

}  // namespace lwspp::h2::hpack
