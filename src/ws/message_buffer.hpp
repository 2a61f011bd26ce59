// The message reader's buffer: a byte array that grows geometrically but
// never past a cap given at each call, so that an allocation is never
// larger than the limit it enforces (std::string's growth may double past
// it). Empty, it owns no memory.
#pragma once
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace lwspp::ws {

class message_buffer {
 public:
  char* data() noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  std::string_view view() const noexcept { return {data_.get(), size_}; }

  // Makes room for `want` more bytes (fewer if `cap` stops it) and returns
  // how many bytes of room there are after size(), capacity never over cap.
  std::size_t reserve_more(std::size_t want, std::size_t cap) {
    if (capacity_ - size_ >= want || capacity_ >= cap) return capacity_ - size_;
    std::size_t next = capacity_ < 256 ? 256 : capacity_ * 2;
    if (next < size_ + want) next = size_ + want;
    if (next > cap) next = cap;
    auto grown = std::make_unique_for_overwrite<char[]>(next);
    if (size_ != 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = next;
    return capacity_ - size_;
  }
  // Counts n bytes written at data() + size().
  void commit(std::size_t n) noexcept { size_ += n; }
  // Appends; the caller has checked the size against its limit.
  void append(std::string_view s) {
    if (s.empty()) return;
    reserve_more(s.size(), static_cast<std::size_t>(-1));
    std::memcpy(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void clear() noexcept { size_ = 0; }
  void release() noexcept {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace lwspp::ws
