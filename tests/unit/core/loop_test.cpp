// lwspp-test-labels: threads
// post() from many threads, deferred tasks, stop from another thread.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "lwspp/loop.hpp"

using namespace std::chrono_literals;

namespace {

TEST(loop, posted_tasks_run_in_order_per_thread) {
  lwspp::loop l;
  constexpr int threads = 4, per_thread = 20'000;
  std::vector<int> last(threads, -1);
  std::atomic<int> done{0};
  bool in_order = true;
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        ASSERT_TRUE(l.post([&, t, i] {
          if (last[static_cast<std::size_t>(t)] != i - 1) in_order = false;
          last[static_cast<std::size_t>(t)] = i;
          if (i == per_thread - 1) done.fetch_add(1);
        }));
      }
    });
  }
  std::thread stopper([&] {
    while (done.load() < threads)
      std::this_thread::sleep_for(1ms);
    l.stop();
  });
  l.run();
  for (auto& p : producers)
    p.join();
  stopper.join();
  EXPECT_TRUE(in_order);
  EXPECT_EQ(l.stats().posted_tasks, static_cast<std::uint64_t>(threads * per_thread));
  // A burst costs one wake-up per batch, not one per task.
  EXPECT_LT(l.stats().wakeups, l.stats().posted_tasks / 4);
}

TEST(loop, stop_from_another_thread_returns_run) {
  lwspp::loop l;
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    l.stop();
  });
  const auto start = std::chrono::steady_clock::now();
  l.run();
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(loop, deferred_tasks_run_after_the_current_iteration) {
  lwspp::loop l;
  std::vector<int> order;
  l.post([&] {
    l.defer([&] { order.push_back(2); });
    order.push_back(1);
  });
  l.run_once(100ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(loop, pending_tasks_are_dropped_when_the_loop_is_destroyed) {
  auto l = std::make_unique<lwspp::loop>();
  int ran = 0;
  l->post([&] { ++ran; });
  l.reset();  // the pending task is dropped, not run
  EXPECT_EQ(ran, 0);
}

TEST(loop, in_loop_thread) {
  lwspp::loop l;
  bool inside = false;
  l.post([&] {
    inside = l.in_loop_thread();
    l.stop();
  });
  l.run();
  EXPECT_TRUE(inside);
  bool outside = true;
  std::thread t([&] { outside = l.in_loop_thread(); });
  t.join();
  EXPECT_FALSE(outside);
}

}  // namespace
