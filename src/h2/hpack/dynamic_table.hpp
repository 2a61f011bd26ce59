// The HPACK dynamic table (RFC 7541 §2.3.2, §4): newest entry first, sized
// as name + value + 32 per entry, oldest entries evicted to fit.
//
// Memory: the names and values of all entries lie in one byte buffer, oldest
// to newest, and the entries themselves in a ring of small records. An
// insertion that does not fit behind the newest entry moves the live bytes
// to the front (or to a larger buffer, at most twice the maximum size), so
// each byte is moved at most once more on average and nothing is allocated
// per entry. Entries never wrap, so each name and value is one string_view.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace lwspp::h2::hpack {

// RFC 7541 §4.1: each entry counts 32 bytes more than its name and value.
inline constexpr std::uint32_t entry_overhead = 32;

class dynamic_table {
 public:
  struct entry {
    std::string_view name;
    std::string_view value;
  };
  // Positions (0 = newest) plus 1 of the newest entry with this name and
  // value (`full`) and of the newest with this name (`name`); 0 = none.
  struct match {
    std::uint32_t full = 0;
    std::uint32_t name = 0;
  };

  // `lookups`: keep name keys so that find() works (the encoder's table).
  explicit dynamic_table(std::uint32_t max_size = 4096, bool lookups = false);

  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t max_size() const noexcept { return max_size_; }
  std::uint32_t count() const noexcept { return count_; }

  // Entry `pos` (0 = newest, < count()); views valid until the next insert
  // or set_max_size.
  entry at(std::uint32_t pos) const noexcept;

  // Sets the maximum and evicts down to it (§4.3).
  void set_max_size(std::uint32_t max_size);

  // Adds an entry after evicting what it needs; an entry larger than the
  // maximum empties the table and is not added (§4.4). `name` and `value`
  // must not point into this table.
  void insert(std::string_view name, std::string_view value);

  // Needs `lookups`.
  match find(std::string_view name, std::string_view value) const noexcept;

 private:
  struct slot {
    std::uint64_t name_key;  // with `lookups`: the name's first and last 4 bytes
    std::uint32_t offset;    // of the name in buf_; the value follows it
    std::uint32_t name_len;
    std::uint32_t value_len;
  };
  const slot& slot_at(std::uint32_t pos) const noexcept {
    return slots_[(newest_ - pos) & (slots_.size() - 1)];
  }
  void evict_oldest() noexcept;
  void make_room(std::uint32_t bytes);
  void grow_slots();

  std::unique_ptr<char[]> buf_;
  std::uint32_t buf_cap_ = 0;
  std::uint32_t buf_begin_ = 0;  // first byte of the oldest entry
  std::uint32_t buf_end_ = 0;    // one past the newest entry's value
  std::vector<slot> slots_;      // ring, power-of-two size
  std::uint32_t newest_ = 0;     // ring position of the newest entry
  std::uint32_t count_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t max_size_;
  bool lookups_;
};

}  // namespace lwspp::h2::hpack
