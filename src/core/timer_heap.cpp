#include "core/timer_heap.hpp"

namespace lwspp::detail {

// Both arguments are roots (no sibling, no prev). The later one becomes the
// first child of the earlier one.
timer* timer_heap::meld(timer* a, timer* b) noexcept {
  if (!a) return b;
  if (!b) return a;
  if (before(b, a)) {
    timer* t = a;
    a = b;
    b = t;
  }
  b->prev_ = a;
  b->sibling_ = a->child_;
  if (a->child_) a->child_->prev_ = b;
  a->child_ = b;
  return a;
}

// The standard two-pass merge of a sibling list: meld pairs left to right,
// then meld the results right to left. Iterative, so a long list (after many
// inserts) cannot overflow the stack.
timer* timer_heap::merge_pairs(timer* first) noexcept {
  timer* pairs = nullptr;  // stack of melded pairs, linked through sibling_
  while (first) {
    timer* a = first;
    timer* b = a->sibling_;
    first = b ? b->sibling_ : nullptr;
    a->sibling_ = a->prev_ = nullptr;
    if (b) b->sibling_ = b->prev_ = nullptr;
    timer* m = meld(a, b);
    m->sibling_ = pairs;
    pairs = m;
  }
  timer* result = nullptr;
  while (pairs) {
    timer* next = pairs->sibling_;
    pairs->sibling_ = nullptr;
    result = meld(result, pairs);
    pairs = next;
  }
  return result;
}

void timer_heap::insert(timer& t) noexcept {
  t.child_ = t.sibling_ = t.prev_ = nullptr;
  root_ = meld(root_, &t);
  ++size_;
}

void timer_heap::remove(timer& t) noexcept {
  if (&t == root_) {
    root_ = merge_pairs(t.child_);
  } else {
    // Unlink t (with its subtree) from its sibling list.
    if (t.prev_->child_ == &t)
      t.prev_->child_ = t.sibling_;
    else
      t.prev_->sibling_ = t.sibling_;
    if (t.sibling_) t.sibling_->prev_ = t.prev_;
    root_ = meld(root_, merge_pairs(t.child_));
  }
  t.child_ = t.sibling_ = t.prev_ = nullptr;
  --size_;
}

}  // namespace lwspp::detail
