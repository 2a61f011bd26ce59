// lwspp::buffer_chain — an ordered queue of bytes kept as a few blocks, the
// shape of a connection's write queue.
//
// Small appends are copied and coalesced into the tail block (so a thousand
// 10-byte sends become one writev entry); a large std::string handed over by
// move is adopted as its own block without a copy; a shared_slice (bytes
// that several queues hold at once, such as one published WebSocket frame)
// is queued by reference. gather() exposes the front
// blocks as I/O slices for writev, consume() drops what the kernel took.
// Invariant: size() == sum of the live bytes of all blocks; no empty blocks.
// An empty chain owns no heap memory.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lwspp {

// Layout-compatible with struct iovec (checked in buffer.cpp).
struct io_slice {
  const void* base;
  std::size_t len;
};

// Immutable bytes owned elsewhere and kept alive by `owner`: one buffer that
// many write queues hold at once without a copy each (a pub/sub message
// framed once for every subscriber). `bytes` must stay unchanged while any
// owner reference exists.
struct shared_slice {
  std::shared_ptr<const void> owner = {};
  std::string_view bytes = {};
};

class buffer_chain {
 public:
  // Appends smaller than this are coalesced; larger strings moved in are adopted.
  static constexpr std::size_t default_block_size = 16 * 1024;

  explicit buffer_chain(std::size_t block_size = default_block_size) : block_size_(block_size) {}
  buffer_chain(const buffer_chain&) = default;
  buffer_chain& operator=(const buffer_chain&) = default;
  // A moved-from chain is empty (the implicit move would leave size() and
  // head_ describing blocks it no longer has).
  buffer_chain(buffer_chain&& other) noexcept;
  buffer_chain& operator=(buffer_chain&& other) noexcept;

  void append(std::string_view bytes);
  void append(std::string&& bytes);
  // Copied only into room the tail copy block already has (no allocation,
  // one writev entry fewer); otherwise queued by reference, without a copy.
  void append(const shared_slice& s);

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  std::size_t block_count() const noexcept { return blocks_.size() - head_; }

  // Fills up to out.size() slices from the front; returns how many.
  std::size_t gather(std::span<io_slice> out) const noexcept;
  // Drops n bytes from the front (n <= size()).
  void consume(std::size_t n) noexcept;
  // Copies up to out.size() bytes from the front without consuming; returns count.
  std::size_t peek(std::span<char> out) const noexcept;
  void clear() noexcept;

 private:
  struct block {
    std::string data;  // owned bytes; [offset, data.size()) are live
    std::size_t offset = 0;
    bool adopted = false;  // moved in by append(string&&): never appended into
    // A shared slice: `data` is empty and the live bytes are [offset,
    // view.size()) of `view`, which `owner` keeps alive.
    std::shared_ptr<const void> owner = {};
    std::string_view view = {};
    bool shared() const noexcept { return owner != nullptr; }
    const char* begin() const noexcept { return (shared() ? view.data() : data.data()) + offset; }
    std::size_t live() const noexcept { return (shared() ? view.size() : data.size()) - offset; }
  };
  void compact() noexcept;

  std::vector<block> blocks_;  // live blocks are [head_, end)
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t block_size_;
};

}  // namespace lwspp
