// connection::set_role_timer: the connection's own timer lent to its role
// (a WebSocket's ping interval and pong/close timeouts use it, so an idle
// socket needs no timer of its own). Counted from the last read, reads push
// it back and writes do not; counted from now, nothing pushes it back; it
// replaces the idle timeout while set and gives it back when cancelled.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "lwspp/context.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// A role driven by one-letter commands from the peer:
//   r: role timer 150 ms since the last read     n: role timer 150 ms from now
//   R: role timer 400 ms since the last read     c: cancel the role timer
//   b: queue 4 MiB for the peer                  w: write "w" back
// Every byte is a read. When the timer runs out it writes "T" and counts.
struct timer_role final : lwspp::role {
  std::atomic<int> fired{0};
  std::atomic<bool> closed{false};
  lwspp::close_reason why;
  void on_data(lwspp::connection& c, std::string_view bytes) override {
    for (char ch : bytes) {
      if (ch == 'r') c.set_role_timer(150ms, true);
      if (ch == 'R') c.set_role_timer(400ms, true);
      if (ch == 'b') c.send(std::string(4u << 20, 'b'));
      if (ch == 'n') c.set_role_timer(150ms, false);
      if (ch == 'c') c.set_role_timer(0ms, false);
      if (ch == 'w') c.send("w");
    }
  }
  void on_role_timer(lwspp::connection& c) override {
    ++fired;
    c.send("T");
  }
  void on_close(lwspp::connection&, const lwspp::close_reason& r) override {
    why = r;
    closed = true;
  }
};

struct fixture {
  std::shared_ptr<timer_role> role = std::make_shared<timer_role>();
  lwspp::context ctx{{.level = lwspp::log_level::warn}};
  int port = 0;
  explicit fixture(std::chrono::milliseconds idle = 0ms) {
    auto vh = ctx.add_vhost({.listen = "127.0.0.1:0", .connection = {.idle_timeout = idle}},
                            {.shared = role});
    if (vh) port = (*vh)->bound_address().port();
  }
};

// Reads one byte, waiting at most `within`; 0 when nothing came.
char read_byte(int fd, std::chrono::milliseconds within) {
  timeval tv{.tv_sec = 0, .tv_usec = static_cast<suseconds_t>(within.count() * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c = 0;
  return ::read(fd, &c, 1) == 1 ? c : 0;
}

TEST(role_timer, fires_once_after_silence_counted_from_the_last_read) {
  fixture f;
  ASSERT_NE(f.port, 0);
  test::runner run(f.ctx);
  const int fd = test::dial(f.port);
  const auto start = clock_type::now();
  ASSERT_TRUE(test::write_all(fd, "r"));
  // Reads push the deadline back...
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(80ms);
    ASSERT_TRUE(test::write_all(fd, "x"));
  }
  EXPECT_EQ(f.role->fired.load(), 0);
  // ...silence lets it run out, once.
  EXPECT_EQ(read_byte(fd, 2000ms), 'T');
  EXPECT_GE(clock_type::now() - start, 320ms + 150ms);
  EXPECT_EQ(read_byte(fd, 400ms), 0) << "fired twice";
  EXPECT_EQ(f.role->fired.load(), 1);
  ::close(fd);
}

TEST(role_timer, writes_do_not_push_a_since_last_read_timer_back) {
  fixture f;
  test::runner run(f.ctx);
  const int fd = test::dial(f.port, 4096);
  const auto start = clock_type::now();
  // The server queues 4 MiB and arms the timer; we drain it slowly, so the
  // server keeps writing for a second without reading anything.
  ASSERT_TRUE(test::write_all(fd, "br"));
  std::size_t drained = 0;
  char buf[4096];
  while (f.role->fired.load() == 0 && clock_type::now() - start < 3s) {
    std::this_thread::sleep_for(5ms);
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) drained += static_cast<std::size_t>(n);
  }
  const auto took = clock_type::now() - start;
  EXPECT_EQ(f.role->fired.load(), 1);
  EXPECT_GE(took, 140ms);
  EXPECT_LT(took, 1000ms) << "writes pushed the deadline back";
  EXPECT_GT(drained, 0u);
  EXPECT_LT(drained, 4u << 20) << "the blob was drained before the timer fired";
  ::close(fd);
}

TEST(role_timer, counted_from_now_reads_do_not_push_it_back) {
  fixture f;
  test::runner run(f.ctx);
  const int fd = test::dial(f.port);
  const auto start = clock_type::now();
  ASSERT_TRUE(test::write_all(fd, "n"));
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(test::write_all(fd, "x"));
  }
  // Fired 150 ms after "n", in the middle of the reads.
  std::string got;
  for (char c; (c = read_byte(fd, 2000ms)) != 0 && c != 'T';)
    got += c;
  const auto took = clock_type::now() - start;
  EXPECT_GE(took, 140ms);
  EXPECT_LT(took, 1000ms);
  EXPECT_EQ(f.role->fired.load(), 1);
  ::close(fd);
}

TEST(role_timer, replaces_the_idle_timeout_while_set) {
  fixture f(200ms);
  test::runner run(f.ctx);
  const int fd = test::dial(f.port);
  const auto start = clock_type::now();
  // 400 ms of silence under a role timer: the 200 ms idle timeout waits.
  ASSERT_TRUE(test::write_all(fd, "R"));
  ASSERT_EQ(read_byte(fd, 2000ms), 'T');
  EXPECT_GE(clock_type::now() - start, 390ms);
  EXPECT_FALSE(f.role->closed.load()) << "the idle timeout ran while a role timer was set";
  // Once it has run out, the idle timeout applies again: the server's FIN.
  EXPECT_EQ(test::read_to_eof(fd), "");
  ASSERT_TRUE(test::wait_until([&] { return f.role->closed.load(); }, 5s));
  EXPECT_TRUE(f.role->why.is(lwspp::error::idle_timeout)) << f.role->why.message();
  ::close(fd);
}

TEST(role_timer, cancelled_gives_the_idle_timeout_back) {
  fixture f(200ms);
  test::runner run(f.ctx);
  const int fd = test::dial(f.port);
  const auto start = clock_type::now();
  ASSERT_TRUE(test::write_all(fd, "Rc"));
  EXPECT_EQ(test::read_to_eof(fd), "");  // the server's FIN
  const auto took = clock_type::now() - start;
  ASSERT_TRUE(test::wait_until([&] { return f.role->closed.load(); }, 5s));
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 390ms) << "the cancelled role timer still held the idle timeout back";
  EXPECT_TRUE(f.role->why.is(lwspp::error::idle_timeout)) << f.role->why.message();
  EXPECT_EQ(f.role->fired.load(), 0);
  ::close(fd);
}

}  // namespace
