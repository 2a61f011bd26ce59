// buffer_chain: the write queue's storage. See include/lwspp/buffer.hpp for
// the invariants (size_ is the sum of live bytes, no empty live blocks, an
// empty chain owns no heap memory).
#include "lwspp/buffer.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <utility>

namespace lwspp {

// gather() output goes straight to writev(), so io_slice must be an iovec.
static_assert(sizeof(io_slice) == sizeof(iovec));
static_assert(alignof(io_slice) == alignof(iovec));
static_assert(offsetof(io_slice, base) == offsetof(iovec, iov_base));
static_assert(offsetof(io_slice, len) == offsetof(iovec, iov_len));
static_assert(sizeof(io_slice::base) == sizeof(iovec::iov_base));
static_assert(sizeof(io_slice::len) == sizeof(iovec::iov_len));

namespace {

// Compacting moves every live block, so wait until the dead prefix is both
// non-trivial and at least as long as the live part: amortised O(1) per block.
constexpr std::size_t min_dead_blocks_to_compact = 16;

}  // namespace

buffer_chain::buffer_chain(buffer_chain&& other) noexcept
    : blocks_(std::exchange(other.blocks_, {})),
      head_(std::exchange(other.head_, 0)),
      size_(std::exchange(other.size_, 0)),
      block_size_(other.block_size_) {}

buffer_chain& buffer_chain::operator=(buffer_chain&& other) noexcept {
  if (this != &other) {
    blocks_ = std::exchange(other.blocks_, {});
    head_ = std::exchange(other.head_, 0);
    size_ = std::exchange(other.size_, 0);
    block_size_ = other.block_size_;
  }
  return *this;
}

void buffer_chain::append(std::string_view bytes) {
  if (bytes.empty()) return;  // an empty block would break the invariant
  size_ += bytes.size();

  // Fill the tail copy block up to block_size_ (it reserved that much, so this
  // never reallocates). Adopted blocks are the caller's string: never grown.
  // Bounding by block_size_ rather than capacity() keeps the block layout
  // independent of the standard library's small-string and rounding rules.
  if (block_count() != 0) {
    block& tail = blocks_.back();
    if (!tail.adopted && !tail.shared() && tail.data.size() < block_size_) {
      const std::size_t room = block_size_ - tail.data.size();
      const std::size_t n = std::min(room, bytes.size());
      tail.data.append(bytes.data(), n);
      bytes.remove_prefix(n);
      if (bytes.empty()) return;
    }
  }

  // A new copy block: block_size_ of room, or exactly the bytes if larger.
  block fresh;
  fresh.data.reserve(std::max(block_size_, bytes.size()));
  fresh.data.append(bytes);
  blocks_.push_back(std::move(fresh));
}

void buffer_chain::append(std::string&& bytes) {
  if (bytes.empty()) return;
  // Small strings are cheaper to copy than to give a writev entry each.
  if (bytes.size() < block_size_ / 4) {
    append(std::string_view(bytes));
    return;
  }
  size_ += bytes.size();
  blocks_.push_back(block{std::move(bytes), 0, true});
}

void buffer_chain::append(const shared_slice& s) {
  if (s.bytes.empty()) return;
  if (block_count() != 0) {
    const block& tail = blocks_.back();
    if (!tail.adopted && !tail.shared() && tail.data.size() + s.bytes.size() <= block_size_) {
      append(s.bytes);
      return;
    }
  }
  size_ += s.bytes.size();
  block b;
  b.owner = s.owner;
  b.view = s.bytes;
  blocks_.push_back(std::move(b));
}

std::size_t buffer_chain::gather(std::span<io_slice> out) const noexcept {
  std::size_t count = 0;
  for (std::size_t i = head_; i < blocks_.size() && count < out.size(); ++i, ++count) {
    const block& b = blocks_[i];
    out[count] = io_slice{b.begin(), b.live()};
  }
  return count;
}

void buffer_chain::consume(std::size_t n) noexcept {
  assert(n <= size_);
  n = std::min(n, size_);
  size_ -= n;
  if (size_ == 0) {
    clear();  // also releases the vector: an empty chain owns no memory
    return;
  }
  while (n != 0) {
    block& front = blocks_[head_];
    if (n < front.live()) {
      front.offset += n;
      break;
    }
    n -= front.live();
    std::string().swap(front.data);  // free the bytes now, not at compaction
    front.owner.reset();             // and a shared slice's reference
    ++head_;
  }
  if (head_ >= min_dead_blocks_to_compact && head_ >= block_count()) compact();
}

std::size_t buffer_chain::peek(std::span<char> out) const noexcept {
  std::size_t copied = 0;
  for (std::size_t i = head_; i < blocks_.size() && copied < out.size(); ++i) {
    const block& b = blocks_[i];
    const std::size_t n = std::min(b.live(), out.size() - copied);
    std::memcpy(out.data() + copied, b.begin(), n);
    copied += n;
  }
  return copied;
}

void buffer_chain::clear() noexcept {
  std::vector<block>().swap(blocks_);
  head_ = 0;
  size_ = 0;
}

void buffer_chain::compact() noexcept {
  // Moving a block moves its std::string, which does not throw.
  blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(head_));
  head_ = 0;
}

}  // namespace lwspp
