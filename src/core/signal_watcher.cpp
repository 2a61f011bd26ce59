#include "core/signal_watcher.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace lwspp::detail {
namespace {

// One watcher per process owns the stop signals (the handler has no context
// argument), so these are process-wide.
std::atomic<int> g_fd{-1};
std::atomic<int> g_last_signal{0};
std::atomic<int> g_count{0};
std::atomic<int> g_hangups{0};

void wake() {
  const int fd = g_fd.load();
  if (fd >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(fd, &one, sizeof one);
  }
}

extern "C" void on_stop_signal(int signo) {
  g_last_signal.store(signo);
  g_count.fetch_add(1);
  wake();
}

extern "C" void on_hangup_signal(int) {
  g_hangups.fetch_add(1);
  wake();
}

}  // namespace

signal_watcher::signal_watcher(loop& l, std::function<void(int, int)> on_signal,
                               std::function<void()> on_hangup)
    : loop_(l),
      fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      on_signal_(std::move(on_signal)),
      on_hangup_(std::move(on_hangup)) {
  g_count.store(0);
  g_hangups.store(0);
  g_fd.store(fd_);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  if (on_hangup_) {
    sa.sa_handler = on_hangup_signal;
    ::sigaction(SIGHUP, &sa, nullptr);
  }
  // Watched from the loop thread (or now, if the loop has not started).
  loop_.post([this] { loop_.watch(fd_, io_readable, *this); });
}

signal_watcher::~signal_watcher() {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  if (on_hangup_) ::sigaction(SIGHUP, &sa, nullptr);
  g_fd.store(-1);
  loop_.unwatch(fd_);
  ::close(fd_);
}

void signal_watcher::on_io(std::uint32_t) {
  std::uint64_t n;
  if (::read(fd_, &n, sizeof n) <= 0) return;
  if (g_hangups.exchange(0) > 0 && on_hangup_) on_hangup_();
  const int stops = g_count.load();
  if (stops != stops_seen_) {
    stops_seen_ = stops;
    on_signal_(g_last_signal.load(), stops);
  }
}

}  // namespace lwspp::detail
