// SIGINT/SIGTERM (and, when asked for, SIGHUP) delivered to a loop as an
// ordinary event.
//
// The signal handler only does what is async-signal-safe: it counts the
// signal and writes an eventfd. The loop reads the eventfd and calls the
// callback on its own thread, where stopping the context is safe.
#pragma once

#include <functional>

#include "lwspp/loop.hpp"

namespace lwspp::detail {

class signal_watcher final : private io_handler {
 public:
  // on_signal(signal number, how many times a stop signal has arrived).
  // on_hangup, when set, runs for SIGHUP (several SIGHUPs between two loop
  // iterations run it once).
  signal_watcher(loop& l, std::function<void(int, int)> on_signal,
                 std::function<void()> on_hangup = {});
  ~signal_watcher();

 private:
  void on_io(std::uint32_t events) override;

  loop& loop_;
  int fd_;
  std::function<void(int, int)> on_signal_;
  std::function<void()> on_hangup_;
  int stops_seen_ = 0;
};

}  // namespace lwspp::detail
