// Bounded buffering: a slow reader makes the server hit its high-water mark,
// pause, and resume on on_writable without losing or reordering a byte; the
// hard limit refuses or closes by policy; reading can be paused and resumed.
#include <gtest/gtest.h>

#include <atomic>

#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

// The server streams `total` pattern bytes to each client as fast as the
// write queue allows, stopping at backpressure and going on in on_writable.
struct streamer {
  std::uint64_t total;
  std::atomic<int> backpressure_events{0};
  std::atomic<int> writable_events{0};
  std::atomic<std::size_t> max_buffered{0};
  std::atomic<int> refused{0};

  struct progress {
    std::uint64_t sent = 0;
  };

  void pump(lwspp::connection& c) {
    auto& p = c.state_as<progress>();
    while (p.sent < total) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(16384, total - p.sent));
      auto r = c.send(test::pattern(0, p.sent, n));
      if (!r) {
        ++refused;
        return;
      }
      p.sent += n;
      if (r.buffered > max_buffered) max_buffered = r.buffered;
      if (r.backpressure) {
        ++backpressure_events;
        return;  // on_writable continues
      }
    }
    c.close();
  }

  lwspp::raw::handlers handlers() {
    return {
        .on_open = [this](lwspp::connection& c) { pump(c); },
        .on_data = {},
        .on_writable =
            [this](lwspp::connection& c) {
              ++writable_events;
              pump(c);
            },
        .on_close = {},
    };
  }
};

TEST(backpressure, slow_reader_hits_the_bound_and_resumes_without_loss) {
  constexpr std::uint64_t total = 32 * 1024 * 1024;
  constexpr std::size_t high_water = 256 * 1024;
  streamer s{total};
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(
      ctx, {.listen = "127.0.0.1:0", .connection = {.write_high_water = high_water}}, s.handlers());
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port(), 4096);
  ASSERT_GE(fd, 0);
  // Read slowly at first so the server's queue fills up...
  std::string got;
  char buf[4096];
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(2ms);
    const ssize_t n = ::read(fd, buf, sizeof buf);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<std::size_t>(n));
  }
  // With the reader stalled the server's queue must pass the mark. Waited
  // for rather than assumed: on a loaded machine the server thread may not
  // have run much during the 100 ms of slow reads.
  EXPECT_TRUE(test::wait_until([&] { return s.backpressure_events.load() > 0; }, 20s));
  // ...then drain everything.
  got += test::read_to_eof(fd);
  ::close(fd);
  ASSERT_EQ(got.size(), total);
  EXPECT_TRUE(got == test::pattern(0, 0, total)) << "stream corrupted";
  EXPECT_GT(s.writable_events.load(), 0);
  EXPECT_EQ(s.refused.load(), 0);
  // The queue stays near the high-water mark: one send past it, no more.
  EXPECT_LE(s.max_buffered.load(), high_water + 16384);
}

TEST(backpressure, hard_limit_refuses_by_default) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::atomic<int> refused{0}, accepted_bytes{0};
  std::atomic<bool> still_open{false}, done{false};
  lwspp::raw::handlers h{
      .on_open =
          [&](lwspp::connection& c) {
            // A peer that never reads: the queue grows until the limit.
            for (int i = 0; i < 4096; ++i) {
              auto r = c.send(std::string(4096, 'x'));
              if (!r) {
                ++refused;
                EXPECT_LE(r.buffered, c.options().write_limit);
              } else {
                accepted_bytes += 4096;
              }
            }
            still_open = c.is_open();
            done = true;
          },
      .on_data = {},
      .on_writable = {},
      .on_close = {},
  };
  auto vh = lwspp::raw::listen(
      ctx, {.listen = "127.0.0.1:0", .connection = {.write_limit = 1024 * 1024}}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port(), 4096);
  ASSERT_TRUE(test::wait_until([&] { return done.load(); }));
  EXPECT_GT(refused.load(), 0);
  EXPECT_TRUE(still_open.load());
  EXPECT_LE(accepted_bytes.load(), 1024 * 1024 + 4 * 1024 * 1024);  // queue + kernel buffers
  ::close(fd);
}

TEST(backpressure, hard_limit_closes_with_close_policy) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::atomic<bool> closed{false};
  lwspp::close_reason reason;
  lwspp::raw::handlers h{
      .on_open =
          [](lwspp::connection& c) {
            for (int i = 0; i < 4096 && c.is_open(); ++i)
              c.send(std::string(4096, 'x'));
          },
      .on_data = {},
      .on_writable = {},
      .on_close =
          [&](lwspp::connection&, const lwspp::close_reason& why) {
            reason = why;
            closed = true;
          },
  };
  auto vh = lwspp::raw::listen(
      ctx,
      {.listen = "127.0.0.1:0",
       .connection = {.write_limit = 1024 * 1024, .on_overflow = lwspp::overflow_policy::close}},
      h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port(), 4096);
  ASSERT_TRUE(test::wait_until([&] { return closed.load(); }));
  EXPECT_TRUE(reason.is(lwspp::error::write_buffer_full)) << reason.message();
  ::close(fd);
}

TEST(backpressure, pause_and_resume_reading) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> paused{false};
  lwspp::connection_handle server_side;
  std::mutex mu;
  lwspp::raw::handlers h{
      .on_open =
          [&](lwspp::connection& c) {
            std::lock_guard lock(mu);
            server_side = c.handle();
            c.pause_reading();
            paused = true;
          },
      .on_data = [&](lwspp::connection&, std::string_view b) { received += b.size(); },
      .on_writable = {},
      .on_close = {},
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  const int fd = test::dial((*vh)->bound_address().port());
  ASSERT_TRUE(test::wait_until([&] { return paused.load(); }));
  ASSERT_TRUE(test::write_all(fd, std::string(100000, 'a')));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(received.load(), 0u) << "read while paused";
  {
    std::lock_guard lock(mu);
    server_side.dispatch([](lwspp::connection& c) { c.resume_reading(); });
  }
  EXPECT_TRUE(test::wait_until([&] { return received.load() == 100000u; }));
  ::close(fd);
}

}  // namespace
