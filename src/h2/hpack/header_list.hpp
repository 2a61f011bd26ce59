// A decoded header list: the decoder's sink. Names and values are stored in
// one arena string, fields as offsets into it, so a list reused from block
// to block stops allocating once it has reached its working size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace lwspp::h2::hpack {

// RFC 9113 §6.5.2: a field counts its name, its value and 32 bytes.
inline constexpr std::size_t field_overhead = 32;

struct header_field {
  std::string_view name;
  std::string_view value;
  // Sent as "never indexed" (RFC 7541 §6.2.3): an intermediary that forwards
  // it must encode it the same way, which the encoder does for this flag.
  bool never_indexed = false;

  friend bool operator==(const header_field&, const header_field&) = default;
};

class header_list {
 public:
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  // Views valid until the list is next changed.
  header_field operator[](std::size_t i) const noexcept {
    const slot& s = fields_[i];
    const char* p = arena_.data() + s.offset;
    return {{p, s.name_len}, {p + s.name_len, s.value_len}, s.never_indexed};
  }
  // Sum of name + value + 32 over the fields (RFC 9113 §6.5.2).
  std::size_t list_size() const noexcept { return list_size_; }

  void clear() noexcept {
    arena_.clear();
    fields_.clear();
    list_size_ = 0;
  }
  // Hands the bytes of every name and value to `other` (a request's storage),
  // taking its old buffer as the next arena, and empties the list. Views
  // into the fields stay valid when the arena is on the heap: compare
  // other.data() with the arena's data() before.
  void give_arena(std::string& other) noexcept {
    arena_.swap(other);
    clear();
  }
  const char* arena_data() const noexcept { return arena_.data(); }
  std::size_t arena_size() const noexcept { return arena_.size(); }
  void add(std::string_view name, std::string_view value, bool never_indexed = false) {
    const std::size_t at = arena_.size();
    arena_.append(name);
    arena_.append(value);
    commit(at, name.size(), value.size(), never_indexed);
  }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = header_field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = header_field;
    iterator() = default;
    iterator(const header_list* l, std::size_t i) : l_(l), i_(i) {}
    header_field operator*() const noexcept { return (*l_)[i_]; }
    iterator& operator++() noexcept {
      ++i_;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator t = *this;
      ++i_;
      return t;
    }
    bool operator==(const iterator&) const = default;

   private:
    const header_list* l_ = nullptr;
    std::size_t i_ = 0;
  };
  iterator begin() const noexcept { return {this, 0}; }
  iterator end() const noexcept { return {this, fields_.size()}; }

 private:
  friend class decoder;  // writes strings straight into the arena
  struct slot {
    std::uint32_t offset;
    std::uint32_t name_len;
    std::uint32_t value_len;
    bool never_indexed;
  };
  void commit(std::size_t at, std::size_t name_len, std::size_t value_len, bool never_indexed) {
    fields_.push_back({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name_len),
                       static_cast<std::uint32_t>(value_len), never_indexed});
    list_size_ += name_len + value_len + field_overhead;
  }

  std::string arena_;
  std::vector<slot> fields_;
  std::size_t list_size_ = 0;
};

}  // namespace lwspp::h2::hpack
