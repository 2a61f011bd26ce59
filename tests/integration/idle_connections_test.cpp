// Ten thousand concurrent idle connections held by one loop. The clients run
// in a child process (forked before any thread starts) so that each process
// needs only ~10k descriptors. Prints the server's memory per connection.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <fstream>

#include "lwspp/raw.hpp"
#include "test_support.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int connections = 10'000;

bool raise_fd_limit(rlim_t want) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_max < want) {
    rl.rlim_max = want;  // root may raise the hard limit
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  rl.rlim_cur = std::min(want, rl.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur >= want;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// Child: read the port, open `connections` sockets, report, hold until told.
[[noreturn]] void client_process(int cmd_fd, int report_fd) {
  std::uint16_t port = 0;
  if (::read(cmd_fd, &port, sizeof port) != sizeof port) ::_exit(2);
  int opened = 0;
  for (int i = 0; i < connections; ++i) {
    if (test::dial(port) < 0) break;
    ++opened;
  }
  [[maybe_unused]] auto w = ::write(report_fd, &opened, sizeof opened);
  char c;
  [[maybe_unused]] auto r = ::read(cmd_fd, &c, 1);  // hold until the parent is done
  ::_exit(0);
}

TEST(scale, ten_thousand_idle_connections) {
  if (!raise_fd_limit(connections + 1000)) GTEST_SKIP() << "cannot raise RLIMIT_NOFILE";
  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  const pid_t pid = ::fork();  // before any thread exists
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Only our ends: the parent closing its write end must reach us as EOF.
    ::close(to_child[1]);
    ::close(from_child[0]);
    client_process(to_child[0], from_child[1]);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);

  lwspp::context ctx({.level = lwspp::log_level::warn});
  auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:0", .backlog = 4096}, {});
  ASSERT_TRUE(vh);
  const long rss_before = rss_kib();
  test::runner run(ctx);
  const std::uint16_t port = (*vh)->bound_address().port();
  ASSERT_EQ(::write(to_child[1], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  int opened = 0;
  ASSERT_EQ(::read(from_child[0], &opened, sizeof opened), static_cast<ssize_t>(sizeof opened));
  EXPECT_EQ(opened, connections);
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->connection_count() == connections; }, 60s))
      << "held " << (*vh)->connection_count();
  const long rss_after = rss_kib();
  std::printf("[ scale    ] %zu connections held; server RSS grew %ld KiB (%.0f bytes each)\n",
              (*vh)->connection_count(), rss_after - rss_before,
              (rss_after - rss_before) * 1024.0 / connections);
  // Let the child go; its exit closes every client socket at once.
  ::close(to_child[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(test::wait_until([&] { return (*vh)->connection_count() == 0; }, 60s))
      << "still open " << (*vh)->connection_count();
}

}  // namespace
