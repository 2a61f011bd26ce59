// The loop's scheduler: an intrusive pairing heap of lwspp::timer nodes.
//
// Why a pairing heap: insert and meld are O(1), removal of any node is
// O(log n) amortised, and the links live inside the timer, so no operation
// allocates. Order is (deadline, arm sequence): equal deadlines fire in the
// order they were armed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lwspp/timer.hpp"

namespace lwspp::detail {

class timer_heap {
 public:
  void insert(timer& t) noexcept;
  void remove(timer& t) noexcept;
  timer* top() const noexcept { return root_; }
  std::size_t size() const noexcept { return size_; }
  std::uint32_t next_seq() noexcept { return ++seq_; }
  std::uint32_t last_seq() const noexcept { return seq_; }
  // Sequence order with wrap-around: right while armed timers span fewer
  // than 2^31 arms, which a 32-bit counter that wraps every few hours of
  // heavy re-arming leaves ample room for.
  static bool seq_before(std::uint32_t a, std::uint32_t b) noexcept {
    return static_cast<std::int32_t>(a - b) < 0;
  }

 private:
  static bool before(const timer* a, const timer* b) noexcept {
    return a->deadline_ < b->deadline_ ||
           (a->deadline_ == b->deadline_ && seq_before(a->seq_, b->seq_));
  }
  static timer* meld(timer* a, timer* b) noexcept;
  static timer* merge_pairs(timer* first) noexcept;

  timer* root_ = nullptr;
  std::size_t size_ = 0;
  std::uint32_t seq_ = 0;
};

}  // namespace lwspp::detail
