// The loop's scheduler: order, ties, cancel, re-arm, and scale.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "lwspp/loop.hpp"
#include "lwspp/timer.hpp"

using namespace std::chrono_literals;
using lwspp::clock_type;

namespace {

// Runs the loop until every timer has fired or a bound passes.
void run_until(lwspp::loop& l, const std::function<bool()>& done) {
  const auto limit = clock_type::now() + 10s;
  while (!done() && clock_type::now() < limit)
    l.run_once(50ms);
}

TEST(timer, fires_in_deadline_order) {
  lwspp::loop l;
  std::vector<int> fired;
  std::vector<std::unique_ptr<lwspp::timer>> timers;
  const int delays_ms[] = {30, 10, 50, 20, 40, 0};
  for (int i = 0; i < 6; ++i) {
    timers.push_back(std::make_unique<lwspp::timer>(l, [&fired, i] { fired.push_back(i); }));
    timers.back()->arm(std::chrono::milliseconds(delays_ms[i]));
  }
  run_until(l, [&] { return fired.size() == 6; });
  EXPECT_EQ(fired, (std::vector<int>{5, 1, 3, 0, 4, 2}));
  EXPECT_EQ(l.armed_timers(), 0u);
}

TEST(timer, equal_deadlines_fire_in_arm_order) {
  lwspp::loop l;
  std::vector<int> fired;
  std::vector<std::unique_ptr<lwspp::timer>> timers;
  const auto at = l.now() + 5ms;
  for (int i = 0; i < 100; ++i) {
    timers.push_back(std::make_unique<lwspp::timer>(l, [&fired, i] { fired.push_back(i); }));
    timers.back()->arm_at(at);
  }
  run_until(l, [&] { return fired.size() == 100; });
  for (int i = 0; i < 100; ++i)
    ASSERT_EQ(fired[static_cast<std::size_t>(i)], i);
}

TEST(timer, cancel_prevents_firing) {
  lwspp::loop l;
  int a = 0, b = 0;
  lwspp::timer ta(l, [&] { ++a; });
  lwspp::timer tb(l, [&] { ++b; });
  ta.arm(5ms);
  tb.arm(10ms);
  ta.cancel();
  EXPECT_FALSE(ta.armed());
  run_until(l, [&] { return b == 1; });
  l.run_once(20ms);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
}

TEST(timer, rearm_moves_the_deadline) {
  lwspp::loop l;
  std::vector<int> fired;
  lwspp::timer t1(l, [&] { fired.push_back(1); });
  lwspp::timer t2(l, [&] { fired.push_back(2); });
  t1.arm(5ms);
  t2.arm(20ms);
  t1.arm(40ms);  // now after t2
  run_until(l, [&] { return fired.size() == 2; });
  EXPECT_EQ(fired, (std::vector<int>{2, 1}));
}

TEST(timer, destroying_an_armed_timer_cancels_it) {
  lwspp::loop l;
  int fired = 0;
  {
    lwspp::timer t(l, [&] { ++fired; });
    t.arm(1ms);
  }
  EXPECT_EQ(l.armed_timers(), 0u);
  l.run_once(10ms);
  EXPECT_EQ(fired, 0);
}

TEST(timer, callback_may_rearm_itself_without_spinning) {
  lwspp::loop l;
  int fired = 0;
  lwspp::timer t(l);
  t.set_callback([&] {
    if (++fired < 5) t.arm(0ms);
  });
  t.arm(0ms);
  // Each iteration runs a re-armed zero timer at most once.
  l.run_once(0ms);
  EXPECT_EQ(fired, 1);
  run_until(l, [&] { return fired == 5; });
  EXPECT_EQ(fired, 5);
}

TEST(timer, callback_may_cancel_another_due_timer) {
  lwspp::loop l;
  int second = 0;
  lwspp::timer t2(l, [&] { ++second; });
  lwspp::timer t1(l, [&] { t2.cancel(); });
  t1.arm(1ms);
  t2.arm(2ms);
  std::this_thread::sleep_for(5ms);
  run_until(l, [&] { return !t1.armed() && !t2.armed(); });
  EXPECT_EQ(second, 0);
}

// 100k timers armed at random deadlines, a third cancelled, a third re-armed:
// every survivor fires exactly once, in deadline order.
TEST(timer, hundred_thousand_timers_keep_order) {
  lwspp::loop l;
  constexpr int n = 100'000;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> ms(0, 200);
  std::vector<clock_type::time_point> fired_at;
  fired_at.reserve(n);
  std::vector<std::unique_ptr<lwspp::timer>> timers;
  timers.reserve(n);
  const auto base = l.now();
  for (int i = 0; i < n; ++i) {
    timers.push_back(std::make_unique<lwspp::timer>(l));
    lwspp::timer* t = timers.back().get();
    t->set_callback([t, &fired_at] { fired_at.push_back(t->deadline()); });
    t->arm_at(base + std::chrono::milliseconds(ms(rng)));
  }
  int expected = n;
  for (int i = 0; i < n; i += 3) {
    timers[static_cast<std::size_t>(i)]->cancel();
    --expected;
  }
  for (int i = 1; i < n; i += 3)
    timers[static_cast<std::size_t>(i)]->arm_at(base + std::chrono::milliseconds(ms(rng)));
  EXPECT_EQ(l.armed_timers(), static_cast<std::size_t>(expected));
  run_until(l, [&] { return fired_at.size() == static_cast<std::size_t>(expected); });
  ASSERT_EQ(fired_at.size(), static_cast<std::size_t>(expected));
  EXPECT_TRUE(std::is_sorted(fired_at.begin(), fired_at.end()));
  EXPECT_EQ(l.armed_timers(), 0u);
}

}  // namespace
