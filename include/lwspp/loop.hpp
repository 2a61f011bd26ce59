// lwspp::loop — one event loop, run by one thread.
//
// The rule (docs/threading.md): everything that belongs to a loop — its
// connections, timers, listeners — is touched only on that loop's thread.
// post() is the one entry point that is safe from any thread; every
// cross-thread API is built on it. Posted tasks run in the order they were
// posted, and a burst of posts costs one wake-up.
//
// The default backend is epoll. Library layers watch file descriptors through
// io_handler; applications rarely need to.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "lwspp/function.hpp"
#include "lwspp/log.hpp"
#include "lwspp/timer.hpp"

namespace lwspp {

class context;
namespace detail {
class timer_heap;
struct post_queue;
class loop_member;
}  // namespace detail

// Readiness bits given to io_handler::on_io and asked for with watch().
enum io_events : std::uint32_t {
  io_none = 0,
  io_readable = 1u << 0,
  io_writable = 1u << 1,
  io_error = 1u << 2,   // delivered, never asked for
  io_hangup = 1u << 3,  // delivered, never asked for
};

class io_handler {
 public:
  virtual void on_io(std::uint32_t events) = 0;

 protected:
  ~io_handler() = default;
};

struct loop_stats {
  std::uint64_t iterations = 0;
  std::uint64_t wakeups = 0;       // eventfd wake-ups consumed
  std::uint64_t posted_tasks = 0;  // tasks run from post()
};

class loop {
 public:
  explicit loop(const logger* log = nullptr);
  ~loop();
  loop(const loop&) = delete;
  loop& operator=(const loop&) = delete;

  // Runs until stop(), or until a shutdown has closed every member.
  void run();
  // One iteration: waits at most max_wait for events, runs what is due.
  void run_once(std::chrono::milliseconds max_wait);
  // Any thread. run() returns after the current iteration.
  void stop() noexcept;
  bool stopping() const noexcept { return stop_.load(std::memory_order_acquire); }

  // Any thread. Runs fn on the loop thread, in post order. Returns false
  // (and drops fn) once the loop has been destroyed.
  bool post(unique_function<void()> fn);
  // Loop thread. Runs fn after the events of this iteration are handled.
  void defer(unique_function<void()> fn);

  bool in_loop_thread() const noexcept;
  // The time at the start of this iteration (cheap; refreshed each wake-up).
  clock_type::time_point now() const noexcept { return now_; }
  clock_type::time_point refresh_now() noexcept;

  const logger& log() const noexcept { return *log_; }
  loop_stats stats() const noexcept { return stats_; }
  std::size_t armed_timers() const noexcept;

  // --- for library layers -------------------------------------------------
  // The per-loop receive buffer: every connection of this loop reads into it,
  // so an idle connection holds no receive memory. Valid until the next read.
  static constexpr std::size_t read_buffer_size = 64 * 1024;
  std::span<char> read_buffer() noexcept;

  // Watches fd for the given io_events. A regular file (which epoll refuses)
  // is reported readable and writable on every iteration instead.
  bool watch(int fd, std::uint32_t events, io_handler& handler);
  bool modify(int fd, std::uint32_t events, io_handler& handler);
  void unwatch(int fd) noexcept;

  // Graceful shutdown of everything registered on this loop: members are told
  // to finish (listeners close, connections flush and close); at the deadline
  // the rest are force-closed; run() returns when none is left.
  void shutdown(clock_type::duration drain);
  // Force-closes every member now (listeners close, connections abort with
  // error::server_stopping). Their on_close runs on the next iteration.
  void close_all();
  bool shutting_down() const noexcept { return shutting_down_; }
  std::size_t member_count() const noexcept { return members_.size(); }

  std::shared_ptr<detail::post_queue> queue() const noexcept { return queue_; }

  // The context whose loop this is (nullptr for a loop made on its own) and
  // its index there: how layers above core reach their per-context state
  // (context::extension) from a connection.
  context* owner_context() const noexcept { return context_; }
  std::size_t index_in_context() const noexcept { return context_index_; }

 private:
  friend class timer;
  friend class detail::loop_member;
  friend class context;

  void add_member(detail::loop_member& m);
  void remove_member(detail::loop_member& m) noexcept;
  void drain_posted();
  void run_deferred();
  void run_due_timers();
  void on_shutdown_deadline();
  int wait_timeout_ms(std::chrono::milliseconds max_wait) const noexcept;

  int epfd_ = -1;
  std::shared_ptr<detail::post_queue> queue_;
  std::unique_ptr<detail::timer_heap> timers_;
  std::vector<unique_function<void()>> deferred_;
  std::vector<unique_function<void()>> running_;  // swapped with deferred_/posted
  // Regular-file fds (see watch): reported ready for whatever they ask, every
  // iteration; an entry asking for nothing (paused) costs no wake-ups.
  struct always_ready_fd {
    int fd;
    std::uint32_t events;
    io_handler* handler;
  };
  std::vector<always_ready_fd> always_ready_;
  bool any_always_ready() const noexcept;
  std::vector<detail::loop_member*> members_;
  std::unique_ptr<char[]> read_buffer_;
  const logger* log_;
  std::unique_ptr<logger> own_log_;
  context* context_ = nullptr;
  std::size_t context_index_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> thread_{};
  clock_type::time_point now_;
  loop_stats stats_;
  timer shutdown_timer_;
  bool shutting_down_ = false;
};

namespace detail {

// Something that lives on a loop and must be wound down on shutdown:
// listeners, connections, UDP sockets.
// It is also the io_handler of its descriptor: one vtable pointer, not two,
// in every connection.
class loop_member : public io_handler {
 public:
  explicit loop_member(loop& l) : loop_(&l) {}
  loop_member(const loop_member&) = delete;
  loop_member& operator=(const loop_member&) = delete;

  loop& owner() const noexcept { return *loop_; }

  // Begin finishing (stop accepting; flush and close). Called once.
  virtual void on_loop_shutdown() = 0;
  // The drain deadline passed: close now.
  virtual void on_loop_force_close() = 0;

 protected:
  ~loop_member() { leave(); }
  void join() { loop_->add_member(*this); }
  void leave() noexcept {
    if (index_ != npos) loop_->remove_member(*this);
  }

 private:
  friend class lwspp::loop;
  static constexpr std::uint32_t npos = static_cast<std::uint32_t>(-1);
  loop* loop_;
  // 32 bits: a derived class's first 4-byte member packs in beside it.
  std::uint32_t index_ = npos;
};

}  // namespace detail
}  // namespace lwspp
