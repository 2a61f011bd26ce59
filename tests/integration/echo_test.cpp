// lwspp-test-labels: threads
// Echo over loopback: many connections, every byte checked; TCP over IPv4
// and IPv6, Unix sockets by path and in the abstract namespace; several loops.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "echo_server.hpp"
#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

struct stream_state {
  std::size_t id = 0;
  std::uint64_t expected = 0;  // total bytes the echo must return
  std::uint64_t received = 0;
  bool mismatch = false;
};

struct echo_result {
  std::atomic<int> clean{0};
  std::atomic<int> failed{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::size_t> next_id{0};
  std::mutex mu;
  std::vector<std::string> errors;
};

// Connects `conns` clients to target; each sends `messages` messages of
// varying size at once and checks that the echoed stream is byte-identical.
void run_echo(lwspp::context& ctx, const std::string& target, int conns, int messages,
              echo_result& out) {
  // Handlers outlive this function: capture the result by reference, the rest by value.
  lwspp::raw::handlers client{
      .on_open =
          [&out, messages](lwspp::connection& c) {
            auto& s = c.state_as<stream_state>();
            s.id = out.next_id++;
            std::uint64_t offset = 0;
            for (int m = 0; m < messages; ++m) {
              const std::size_t size = 1 + (static_cast<std::size_t>(m) * 131 + s.id * 17) % 700;
              auto r = c.send(test::pattern(s.id, offset, size));
              ASSERT_TRUE(r.ok());
              offset += size;
            }
            s.expected = offset;
          },
      .on_data =
          [](lwspp::connection& c, std::string_view bytes) {
            auto& s = c.state_as<stream_state>();
            for (char b : bytes) {
              if (b != test::pattern_byte(s.id, s.received)) s.mismatch = true;
              ++s.received;
            }
            if (s.received >= s.expected) c.close();
          },
      .on_writable = {},
      .on_close =
          [&out](lwspp::connection& c, const lwspp::close_reason& why) {
            auto& s = c.state_as<stream_state>();
            out.bytes += s.received;
            if (why.clean() && !s.mismatch && s.received == s.expected) {
              ++out.clean;
            } else {
              ++out.failed;
              std::lock_guard lock(out.mu);
              out.errors.push_back(why.message() + " mismatch=" + std::to_string(s.mismatch) +
                                   " got " + std::to_string(s.received) + "/" +
                                   std::to_string(s.expected));
            }
          },
  };
  for (int i = 0; i < conns; ++i)
    lwspp::raw::connect(ctx, target, client, {.loop_index = static_cast<unsigned>(i)});
}

TEST(echo, hundred_connections_thousand_messages_every_byte) {
  lwspp::context ctx({.loops = 2, .level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, test::echo_handlers());
  ASSERT_TRUE(vh) << vh.error().message();
  echo_result r;
  run_echo(ctx, (*vh)->bound_address().to_string(), 100, 1000, r);
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return r.clean + r.failed == 100; }, 120s));
  EXPECT_EQ(r.clean, 100) << (r.errors.empty() ? "" : r.errors.front());
  EXPECT_EQ((*vh)->accepted_total(), 100u);
  EXPECT_GT(r.bytes.load(), 100u * 1000u * 300u);
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->connection_count() == 0; }));
}

TEST(echo, ipv6_loopback) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "[::1]:0"}, test::echo_handlers());
  if (!vh) GTEST_SKIP() << "no IPv6 loopback here: " << vh.error().message();
  echo_result r;
  run_echo(ctx, (*vh)->bound_address().to_string(), 4, 200, r);
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return r.clean + r.failed == 4; }));
  EXPECT_EQ(r.clean, 4) << (r.errors.empty() ? "" : r.errors.front());
}

TEST(echo, unix_socket_path_and_abstract) {
  const std::string path = "/tmp/lwspp-echo-test-" + std::to_string(::getpid()) + ".sock";
  const std::string abstract = "unix:@lwspp-echo-test-" + std::to_string(::getpid());
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto a =
      lwspp::raw::listen(ctx, {.name = "path", .listen = "unix:" + path}, test::echo_handlers());
  ASSERT_TRUE(a) << a.error().message();
  auto b = lwspp::raw::listen(ctx, {.name = "abstract", .listen = abstract}, test::echo_handlers());
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ((*b)->bound_address().to_string(), abstract);
  echo_result r;
  run_echo(ctx, "unix:" + path, 5, 300, r);
  run_echo(ctx, abstract, 5, 300, r);
  {
    test::runner run(ctx);
    ASSERT_TRUE(test::wait_until([&] { return r.clean + r.failed == 10; }));
    EXPECT_EQ(r.clean, 10) << (r.errors.empty() ? "" : r.errors.front());
  }
}

TEST(echo, host_name_target_resolves_off_loop) {
  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, test::echo_handlers());
  ASSERT_TRUE(vh);
  echo_result r;
  run_echo(ctx, "localhost:" + std::to_string((*vh)->bound_address().port()), 3, 50, r);
  test::runner run(ctx);
  ASSERT_TRUE(test::wait_until([&] { return r.clean + r.failed == 3; }));
  // localhost may resolve to ::1 first, where nothing listens: the connector
  // must then try 127.0.0.1.
  EXPECT_EQ(r.clean, 3) << (r.errors.empty() ? "" : r.errors.front());
}

TEST(echo, reuseport_spreads_connections_over_loops) {
  lwspp::context ctx({.loops = 2, .level = lwspp::log_level::warn});
  std::mutex mu;
  std::set<std::thread::id> threads;
  auto h = test::echo_handlers();
  h.on_open = [&](lwspp::connection&) {
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
  };
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0"}, h);
  ASSERT_TRUE(vh);
  test::runner run(ctx);
  std::vector<int> fds;
  for (int i = 0; i < 64; ++i)
    fds.push_back(test::dial((*vh)->bound_address().port()));
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->accepted_total() == 64; }));
  for (int fd : fds)
    ::close(fd);
  std::lock_guard lock(mu);
  EXPECT_EQ(threads.size(), 2u) << "64 connections all landed on one loop";
}

}  // namespace
