// lwspp-test-labels: threads
// Sending through weak handles from other threads: per-thread order kept,
// nothing lost, and handles stay safe after the connection has closed.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <sstream>

#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

TEST(handles, four_threads_keep_per_thread_order) {
  constexpr int threads = 4, per_thread = 5000;
  lwspp::context ctx({.loops = 2, .level = lwspp::log_level::warn});
  std::mutex mu;
  lwspp::connection_handle server_side;
  std::atomic<bool> open{false};
  lwspp::raw::handlers h{
      .on_open =
          [&](lwspp::connection& c) {
            std::lock_guard lock(mu);
            server_side = c.handle();
            open = true;
          },
      .on_data = {},
      .on_writable = {},
      .on_close = {},
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_TRUE(test::wait_until([&] { return open.load(); }));
  lwspp::connection_handle handle;
  {
    std::lock_guard lock(mu);
    handle = server_side;
  }
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([handle, t] {
      for (int i = 0; i < per_thread; ++i)
        EXPECT_TRUE(handle.send(std::to_string(t) + ":" + std::to_string(i) + "\n"));
    });
  }
  for (auto& s : senders)
    s.join();
  handle.close();  // posted after every send: the close flushes them first
  const std::string all = test::read_to_eof(fd);
  ::close(fd);
  std::map<int, int> next;
  std::istringstream lines(all);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto colon = line.find(':');
    ASSERT_NE(colon, std::string::npos) << "torn message: " << line;
    const int t = std::stoi(line.substr(0, colon));
    const int i = std::stoi(line.substr(colon + 1));
    ASSERT_EQ(i, next[t]) << "thread " << t << " out of order";
    next[t] = i + 1;
    ++count;
  }
  EXPECT_EQ(count, threads * per_thread);
}

TEST(handles, safe_after_close_from_any_thread) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::mutex mu;
  lwspp::connection_handle kept;
  std::atomic<bool> closed{false};
  lwspp::raw::handlers h{
      .on_open =
          [&](lwspp::connection& c) {
            std::lock_guard lock(mu);
            kept = c.handle();
          },
      .on_data = {},
      .on_writable = {},
      .on_close = [&](lwspp::connection&, const lwspp::close_reason&) { closed = true; },
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  {
    test::runner run(ctx);
    const int fd = test::dial((*vh)->bound_address().port());
    ASSERT_TRUE(test::wait_until([&] {
      std::lock_guard lock(mu);
      return !kept.expired();
    }));
    ::close(fd);
    ASSERT_TRUE(test::wait_until([&] { return closed.load(); }));
    lwspp::connection_handle h2;
    {
      std::lock_guard lock(mu);
      h2 = kept;
    }
    EXPECT_TRUE(test::wait_until([&] { return h2.expired(); }));
    // From several threads at once, after the connection is gone: no effect, no crash.
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
      ts.emplace_back([h2] {
        for (int j = 0; j < 100; ++j) {
          EXPECT_FALSE(h2.send("late"));
          h2.close();
        }
      });
    for (auto& t : ts)
      t.join();
  }
  // The context (and its loops) are gone; the handle is still safe to use.
  lwspp::connection_handle orphan;
  {
    std::lock_guard lock(mu);
    orphan = kept;
  }
  EXPECT_FALSE(orphan.send("after the loop"));
}

}  // namespace
