// Tests for lwspp::unique_function (include/lwspp/function.hpp).
#include "lwspp/function.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace {

using lwspp::unique_function;

static_assert(!std::is_copy_constructible_v<unique_function<void()>>);
static_assert(!std::is_copy_assignable_v<unique_function<void()>>);
static_assert(std::is_nothrow_move_constructible_v<unique_function<void()>>);
static_assert(std::is_nothrow_move_assignable_v<unique_function<void()>>);
static_assert(!std::is_constructible_v<unique_function<void(int)>, int>);
static_assert(!std::is_constructible_v<unique_function<int()>, std::string (*)()>);

// Counts what happens to one logical callable: a move hands the identity to
// the new object, so `destroyed` counts the real end of the target (moved-from
// shells do not count) and `moves` shows whether it was stored inline
// (relocated on every move) or on the heap (never moved again).
struct counters {
  int destroyed = 0;
  int moves = 0;
  int calls = 0;
};

template <std::size_t Pad>
struct counted {
  counters* c;
  std::array<char, Pad> pad{};

  explicit counted(counters* cs) : c(cs) {}
  counted(counted&& o) noexcept : c(std::exchange(o.c, nullptr)), pad(o.pad) { ++c->moves; }
  counted(const counted&) = delete;
  counted& operator=(const counted&) = delete;
  counted& operator=(counted&&) = delete;
  ~counted() {
    if (c != nullptr) ++c->destroyed;
  }
  int operator()(int x) {
    ++c->calls;
    return x + 1;
  }
};

using small = counted<8>;    // fits the six-pointer inline buffer
using large = counted<256>;  // goes to the heap
static_assert(sizeof(small) <= 6 * sizeof(void*));
static_assert(sizeof(large) > 6 * sizeof(void*));

// A target that may throw when moved is kept on the heap, so that relocating
// the unique_function itself can stay noexcept.
struct throwing_move {
  int value = 7;
  throwing_move() = default;
  throwing_move(throwing_move&& o) noexcept(false) : value(o.value) {}
  int operator()() const { return value; }
};

TEST(unique_function, null_construction) {
  unique_function<void()> a;
  unique_function<void()> b(nullptr);
  unique_function<void()> c = nullptr;
  EXPECT_FALSE(a);
  EXPECT_FALSE(b);
  EXPECT_FALSE(c);
  void (*null_fn)() = nullptr;
  unique_function<void()> d(null_fn);
  EXPECT_FALSE(d);
  int (std::string::*null_member)() const = nullptr;
  unique_function<int(const std::string&)> e(null_member);
  EXPECT_FALSE(e);
}

int twice(int x) {
  return 2 * x;
}

TEST(unique_function, free_function_and_member_pointer) {
  unique_function<int(int)> by_name(twice);  // F is a function reference
  EXPECT_EQ(by_name(2), 4);
  unique_function<int(int)> f(+[](int x) { return x * 2; });
  ASSERT_TRUE(f);
  EXPECT_EQ(f(21), 42);
  unique_function<std::size_t(const std::string&)> size(&std::string::size);
  EXPECT_EQ(size(std::string("four")), 4u);
}

TEST(unique_function, move_only_capture) {
  auto p = std::make_unique<int>(41);
  unique_function<int()> f([p = std::move(p)] { return *p + 1; });
  EXPECT_EQ(f(), 42);
  unique_function<int()> g(std::move(f));
  EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(g(), 42);
}

// Construct, call, move-construct, move-assign, call: one target throughout.
// Returns how many times the target itself was moved.
template <class Target>
int called_and_destroyed_once() {
  counters c;
  {
    unique_function<int(int)> f{Target(&c)};
    EXPECT_EQ(f(1), 2);
    unique_function<int(int)> g(std::move(f));
    EXPECT_EQ(g(2), 3);
    unique_function<int(int)> h;
    h = std::move(g);
    EXPECT_EQ(h(3), 4);
    EXPECT_EQ(c.destroyed, 0);
  }
  EXPECT_EQ(c.calls, 3);
  EXPECT_EQ(c.destroyed, 1);
  return c.moves;
}

TEST(unique_function, small_target_is_called_and_destroyed_once) {
  // Inline: moved in from the temporary, then relocated by each of two moves.
  EXPECT_EQ(called_and_destroyed_once<small>(), 3);
}

TEST(unique_function, large_target_is_called_and_destroyed_once) {
  // Heap: moved in from the temporary once; moving the wrapper moves a pointer.
  EXPECT_EQ(called_and_destroyed_once<large>(), 1);
}

TEST(unique_function, typical_posted_lambda_is_stored_inline) {
  // The header's promise: a weak handle plus a std::string does not allocate.
  counters c;
  auto handle = std::make_shared<int>(1);
  unique_function<int(int)> f(
      [w = std::weak_ptr<int>(handle), s = std::string("x"), probe = small(&c)](int x) mutable {
        return probe(x) + static_cast<int>(s.size()) + (w.expired() ? 0 : 1) - 2;
      });
  const int moves_before = c.moves;
  unique_function<int(int)> g(std::move(f));
  EXPECT_EQ(g(1), 2);
  if (sizeof(std::weak_ptr<int>) + sizeof(std::string) + sizeof(small) <= 6 * sizeof(void*)) {
    EXPECT_EQ(c.moves, moves_before + 1);  // relocated, so it lived inline
  }
}

TEST(unique_function, move_assignment_destroys_the_old_target) {
  counters old_c, new_c;
  unique_function<int(int)> f{small(&old_c)};
  unique_function<int(int)> g{large(&new_c)};
  f = std::move(g);
  EXPECT_EQ(old_c.destroyed, 1);
  EXPECT_EQ(new_c.destroyed, 0);
  EXPECT_EQ(f(9), 10);
  EXPECT_EQ(new_c.calls, 1);
  EXPECT_EQ(old_c.calls, 0);
  f = nullptr;
  EXPECT_FALSE(f);
  EXPECT_EQ(new_c.destroyed, 1);
}

TEST(unique_function, self_move_is_safe) {
  counters c;
  unique_function<int(int)> f{small(&c)};
  unique_function<int(int)>& alias = f;
  f = std::move(alias);
  ASSERT_TRUE(f);
  EXPECT_EQ(f(1), 2);
  EXPECT_EQ(c.destroyed, 0);

  counters hc;
  unique_function<int(int)> h{large(&hc)};
  unique_function<int(int)>& halias = h;
  h = std::move(halias);
  ASSERT_TRUE(h);
  EXPECT_EQ(h(1), 2);
  EXPECT_EQ(hc.destroyed, 0);
}

TEST(unique_function, swap) {
  counters a_c, b_c;
  unique_function<int(int)> a{small(&a_c)};
  unique_function<int(int)> b{large(&b_c)};
  a.swap(b);
  EXPECT_EQ(a(0), 1);
  EXPECT_EQ(b_c.calls, 1);
  EXPECT_EQ(b(0), 1);
  EXPECT_EQ(a_c.calls, 1);

  unique_function<int(int)> empty;
  a.swap(empty);
  EXPECT_FALSE(a);
  ASSERT_TRUE(empty);
  empty.swap(empty);  // self-swap keeps the target
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty(1), 2);
  EXPECT_EQ(a_c.destroyed + b_c.destroyed, 0);
  empty = nullptr;
  b = nullptr;
  EXPECT_EQ(a_c.destroyed, 1);
  EXPECT_EQ(b_c.destroyed, 1);
}

TEST(unique_function, returns_values) {
  unique_function<std::string(int)> f(
      [](int n) { return std::string(static_cast<size_t>(n), 'x'); });
  EXPECT_EQ(f(3), "xxx");
  unique_function<std::unique_ptr<int>()> g([] { return std::make_unique<int>(5); });
  EXPECT_EQ(*g(), 5);
  unique_function<void(int)> discard([](int x) { return x; });  // result dropped for void
  discard(1);
  unique_function<long()> convert([] { return 3; });  // int converts to long
  EXPECT_EQ(convert(), 3L);
}

TEST(unique_function, forwards_reference_arguments) {
  unique_function<void(int&)> inc([](int& x) { ++x; });
  int v = 1;
  inc(v);
  EXPECT_EQ(v, 2);

  unique_function<const int*(const int&)> addr([](const int& x) { return &x; });
  EXPECT_EQ(addr(v), &v);

  unique_function<std::unique_ptr<int>(std::unique_ptr<int> &&)> take(
      [](std::unique_ptr<int>&& p) { return std::move(p); });
  auto p = std::make_unique<int>(3);
  int* raw = p.get();
  auto q = take(std::move(p));
  EXPECT_EQ(q.get(), raw);

  unique_function<std::size_t(std::string)> by_value([](std::string s) { return s.size(); });
  EXPECT_EQ(by_value(std::string(100, 'a')), 100u);
}

TEST(unique_function, mutable_state_persists_between_calls) {
  unique_function<int()> counter([n = 0]() mutable { return ++n; });
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(counter(), 2);
  unique_function<int()> moved(std::move(counter));
  EXPECT_EQ(moved(), 3);
}

TEST(unique_function, throwing_move_target_goes_to_the_heap) {
  unique_function<int()> f{throwing_move()};
  unique_function<int()> g(std::move(f));
  EXPECT_EQ(g(), 7);
}

}  // namespace
