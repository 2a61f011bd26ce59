#include "core/post_queue.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <system_error>

namespace lwspp::detail {

post_queue::post_queue() : fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd < 0) throw std::system_error(errno, std::system_category(), "eventfd");
}

post_queue::~post_queue() {
  if (fd >= 0) ::close(fd);
}

bool post_queue::push(unique_function<void()>&& fn) {
  bool must_signal = false;
  {
    std::lock_guard lock(mu_);
    if (closed_) return false;  // fn is destroyed by the caller, outside the lock
    tasks_.push_back(std::move(fn));
    must_signal = !signaled_;
    signaled_ = true;
  }
  if (must_signal) wake();
  return true;
}

void post_queue::take(std::vector<unique_function<void()>>& out) {
  std::lock_guard lock(mu_);
  out.swap(tasks_);
  signaled_ = false;
}

std::vector<unique_function<void()>> post_queue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  return std::move(tasks_);
}

void post_queue::wake() noexcept {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake anyway.
  [[maybe_unused]] auto r = ::write(fd, &one, sizeof one);
}

}  // namespace lwspp::detail
