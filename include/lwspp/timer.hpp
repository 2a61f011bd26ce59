// lwspp::timer — a one-shot timer that lives inside its owner.
//
// A timer is a node of its loop's scheduler (an intrusive pairing heap), so
// arming, re-arming and cancelling never allocate: O(1) insert, O(log n)
// amortised removal, which holds at 100k armed timers. Timers with the same
// deadline fire in the order they were armed. A timer belongs to one loop and
// is used only on that loop's thread; destroying it cancels it.
#pragma once

#include <chrono>
#include <cstdint>

#include "lwspp/function.hpp"

namespace lwspp {

class loop;
namespace detail {
class timer_heap;
}

using clock_type = std::chrono::steady_clock;

class timer {
 public:
  // A callback of any shape. It is stored once, at construction (the only
  // allocation); arming and firing never allocate.
  timer(loop& owner, unique_function<void()> on_fire) : loop_(&owner) {
    set_callback(std::move(on_fire));
  }
  // The allocation-free form for owners that embed many timers:
  // fn(ctx) runs when the timer fires.
  timer(loop& owner, void (*fn)(void* ctx), void* ctx) : loop_(&owner), fn_(fn), ctx_(ctx) {}
  explicit timer(loop& owner) : loop_(&owner) {}
  ~timer() {
    cancel();
    release_callback();
  }
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;

  void set_callback(unique_function<void()> on_fire);

  // (Re-)arms the timer; an armed timer is moved to the new deadline.
  void arm(clock_type::duration after);
  void arm_at(clock_type::time_point deadline);
  void cancel() noexcept;
  bool armed() const noexcept { return armed_; }
  clock_type::time_point deadline() const noexcept { return deadline_; }
  loop& owner() const noexcept { return *loop_; }

 private:
  friend class detail::timer_heap;
  friend class loop;

  void fire() {
    if (fn_) fn_(ctx_);
  }
  void release_callback() noexcept;

  loop* loop_;
  void (*fn_)(void*) = nullptr;
  void* ctx_ = nullptr;  // fn_'s argument; a heap unique_function when owns_ctx_
  clock_type::time_point deadline_{};
  timer* child_ = nullptr;  // pairing-heap links
  timer* sibling_ = nullptr;
  timer* prev_ = nullptr;  // previous sibling, or parent for a first child
  // Arm order, to break ties between equal deadlines. 32 bits (compared with
  // wrap-around, see timer_heap) so that it packs with the flags: a timer is
  // embedded in every connection.
  std::uint32_t seq_ = 0;
  bool armed_ = false;
  bool owns_ctx_ = false;
};

}  // namespace lwspp
