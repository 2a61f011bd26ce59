// The epoll loop: readiness dispatch, posted tasks, deferred tasks, timers,
// and graceful shutdown of the members registered on it.
#include "lwspp/loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/exception_guard.hpp"
#include "core/post_queue.hpp"
#include "core/timer_heap.hpp"

namespace lwspp {
namespace {

// Events handled per epoll_wait; more stay queued in the kernel for the next call.
constexpr int max_events = 256;

std::uint32_t to_epoll(std::uint32_t events) noexcept {
  std::uint32_t e = 0;
  if (events & io_readable) e |= EPOLLIN | EPOLLRDHUP;
  if (events & io_writable) e |= EPOLLOUT;
  return e;
}

std::uint32_t from_epoll(std::uint32_t e) noexcept {
  std::uint32_t events = 0;
  if (e & (EPOLLIN | EPOLLRDHUP)) events |= io_readable;
  if (e & EPOLLOUT) events |= io_writable;
  if (e & EPOLLERR) events |= io_error;
  if (e & EPOLLHUP) events |= io_hangup;
  return events;
}

}  // namespace

loop::loop(const logger* log)
    : queue_(std::make_shared<detail::post_queue>()),
      timers_(std::make_unique<detail::timer_heap>()),
      log_(log),
      now_(clock_type::now()),
      shutdown_timer_(*this, [this] { on_shutdown_deadline(); }) {
  if (!log_) {
    own_log_ = std::make_unique<logger>();
    log_ = own_log_.get();
  }
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = queue_.get();  // the one event whose ptr is not an io_handler
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, queue_->fd, &ev) < 0)
    throw std::system_error(errno, std::system_category(), "epoll_ctl(eventfd)");
}

loop::~loop() {
  shutdown_timer_.cancel();
  // Tasks still queued are destroyed here, on the owning thread, not run.
  auto orphans = queue_->close();
  orphans.clear();
  deferred_.clear();
  ::close(epfd_);
}

bool loop::in_loop_thread() const noexcept {
  return thread_.load(std::memory_order_relaxed) == std::this_thread::get_id();
}

clock_type::time_point loop::refresh_now() noexcept {
  now_ = clock_type::now();
  return now_;
}

std::span<char> loop::read_buffer() noexcept {
  if (!read_buffer_) read_buffer_.reset(new char[read_buffer_size]);
  return {read_buffer_.get(), read_buffer_size};
}

bool loop::any_always_ready() const noexcept {
  return std::any_of(always_ready_.begin(), always_ready_.end(),
                     [](const always_ready_fd& a) { return a.events != 0; });
}

std::size_t loop::armed_timers() const noexcept {
  return timers_->size();
}

void loop::run() {
  thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  refresh_now();
  while (!stop_.load(std::memory_order_acquire))
    run_once(std::chrono::hours(1));
  stop_.store(false, std::memory_order_release);
}

void loop::stop() noexcept {
  stop_.store(true, std::memory_order_release);
  queue_->wake();
}

bool loop::post(unique_function<void()> fn) {
  return queue_->push(std::move(fn));
}

void loop::defer(unique_function<void()> fn) {
  deferred_.push_back(std::move(fn));
}

int loop::wait_timeout_ms(std::chrono::milliseconds max_wait) const noexcept {
  if (!deferred_.empty() || any_always_ready()) return 0;
  auto wait = max_wait;
  if (const timer* t = timers_->top()) {
    const auto until = t->deadline_ - clock_type::now();
    // Round up so a timer is never woken for just before its deadline.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(until);
    if (ms < wait) wait = ms;
  }
  if (wait.count() < 0) return 0;
  return static_cast<int>(std::min<std::chrono::milliseconds::rep>(wait.count(), 1 << 30));
}

void loop::run_once(std::chrono::milliseconds max_wait) {
  if (thread_.load(std::memory_order_relaxed) == std::thread::id{})
    thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  epoll_event events[max_events];
  const int n = ::epoll_wait(epfd_, events, max_events, wait_timeout_ms(max_wait));
  now_ = clock_type::now();
  ++stats_.iterations;
  for (int i = 0; i < n; ++i) {
    void* ptr = events[i].data.ptr;
    if (ptr == queue_.get()) {
      std::uint64_t count;
      [[maybe_unused]] auto r = ::read(queue_->fd, &count, sizeof count);
      ++stats_.wakeups;
      drain_posted();
    } else {
      // A connection catches its own handlers' exceptions and closes; this
      // is the net for the other fds (exception_guard.hpp).
      detail::run_guarded(log(), "an fd's handler", [&] {
        static_cast<io_handler*>(ptr)->on_io(from_epoll(events[i].events));
      });
    }
  }
  if (any_always_ready()) {
    // A copy: handlers may unwatch (or watch) while we walk the list.
    auto ready = always_ready_;
    for (const always_ready_fd& r : ready) {
      auto it = std::find_if(always_ready_.begin(), always_ready_.end(),
                             [&](const always_ready_fd& a) { return a.handler == r.handler; });
      if (it != always_ready_.end() && it->events)
        detail::run_guarded(log(), "an fd's handler", [&] { it->handler->on_io(it->events); });
    }
  }
  run_due_timers();
  run_deferred();
}

void loop::drain_posted() {
  std::vector<unique_function<void()>> batch;
  queue_->take(batch);
  stats_.posted_tasks += batch.size();
  for (auto& fn : batch)
    detail::run_guarded(log(), "a posted task", fn);
}

void loop::run_deferred() {
  // Deferred tasks may defer more; those run in the next round of this loop,
  // bounded so a task that always re-defers cannot starve I/O.
  for (int round = 0; round < 4 && !deferred_.empty(); ++round) {
    running_.swap(deferred_);
    for (auto& fn : running_)
      detail::run_guarded(log(), "a deferred task", fn);
    running_.clear();
  }
}

void loop::run_due_timers() {
  // Only timers armed before this pass may fire in it: a callback that re-arms
  // for "now" runs next iteration instead of spinning here.
  const std::uint32_t last = timers_->last_seq();
  while (timer* t = timers_->top()) {
    if (t->deadline_ > now_ || detail::timer_heap::seq_before(last, t->seq_)) break;
    timers_->remove(*t);
    t->armed_ = false;
    detail::run_guarded(log(), "a timer", [t] { t->fire(); });
  }
}

bool loop::watch(int fd, std::uint32_t events, io_handler& handler) {
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.ptr = &handler;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0) return true;
  if (errno == EPERM) {  // a regular file: always ready, as poll(2) would say
    always_ready_.push_back({fd, events, &handler});
    return true;
  }
  return false;
}

bool loop::modify(int fd, std::uint32_t events, io_handler& handler) {
  for (always_ready_fd& a : always_ready_) {
    if (a.fd == fd) {
      a.events = events;
      return true;
    }
  }
  epoll_event ev{};
  ev.events = to_epoll(events);
  ev.data.ptr = &handler;
  return ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void loop::unwatch(int fd) noexcept {
  auto it = std::find_if(always_ready_.begin(), always_ready_.end(),
                         [fd](const always_ready_fd& a) { return a.fd == fd; });
  if (it != always_ready_.end()) {
    always_ready_.erase(it);
    return;
  }
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void loop::add_member(detail::loop_member& m) {
  m.index_ = static_cast<std::uint32_t>(members_.size());
  members_.push_back(&m);
}

void loop::remove_member(detail::loop_member& m) noexcept {
  // Swap-remove: O(1), order does not matter.
  const std::size_t i = m.index_;
  members_[i] = members_.back();
  members_[i]->index_ = static_cast<std::uint32_t>(i);
  members_.pop_back();
  m.index_ = detail::loop_member::npos;
  if (shutting_down_ && members_.empty()) stop();
}

void loop::shutdown(clock_type::duration drain) {
  if (shutting_down_) return;
  shutting_down_ = true;
  // A snapshot: members leave the list as they finish. Connections are freed
  // only by deferred tasks, so every pointer here stays valid for this pass.
  auto snapshot = members_;
  for (detail::loop_member* m : snapshot) {
    if (m->index_ != detail::loop_member::npos) m->on_loop_shutdown();
  }
  if (members_.empty()) {
    stop();
    return;
  }
  shutdown_timer_.arm(drain);
}

void loop::on_shutdown_deadline() {
  close_all();
  stop();
}

void loop::close_all() {
  shutdown_timer_.cancel();
  auto snapshot = members_;
  for (detail::loop_member* m : snapshot) {
    if (m->index_ != detail::loop_member::npos) m->on_loop_force_close();
  }
}

// --- timer ------------------------------------------------------------------

void timer::set_callback(unique_function<void()> on_fire) {
  release_callback();
  if (!on_fire) return;
  ctx_ = new unique_function<void()>(std::move(on_fire));
  owns_ctx_ = true;
  fn_ = [](void* f) { (*static_cast<unique_function<void()>*>(f))(); };
}

void timer::release_callback() noexcept {
  if (owns_ctx_) delete static_cast<unique_function<void()>*>(ctx_);
  owns_ctx_ = false;
  fn_ = nullptr;
  ctx_ = nullptr;
}

void timer::arm(clock_type::duration after) {
  arm_at(loop_->now() + after);
}

void timer::arm_at(clock_type::time_point deadline) {
  if (armed_) loop_->timers_->remove(*this);
  deadline_ = deadline;
  seq_ = loop_->timers_->next_seq();
  loop_->timers_->insert(*this);
  armed_ = true;
}

void timer::cancel() noexcept {
  if (!armed_) return;
  loop_->timers_->remove(*this);
  armed_ = false;
}

}  // namespace lwspp
