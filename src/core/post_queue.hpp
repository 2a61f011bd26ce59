// The cross-thread task queue of a loop: the one thing shared between
// threads. Producers push under a mutex; the first push after a drain writes
// the eventfd, so a burst of posts costs one wake-up. The queue outlives its
// loop while handles still point at it; once closed, pushes are refused.
#pragma once

#include <mutex>
#include <vector>

#include "lwspp/function.hpp"

namespace lwspp::detail {

struct post_queue {
  post_queue();
  ~post_queue();
  post_queue(const post_queue&) = delete;
  post_queue& operator=(const post_queue&) = delete;

  // Any thread. False once the loop is gone.
  bool push(unique_function<void()>&& fn);
  // Loop thread: moves every pending task into out (which must be empty).
  void take(std::vector<unique_function<void()>>& out);
  // Loop thread: refuse further pushes; returns what was still pending.
  std::vector<unique_function<void()>> close();
  // Any thread: wake the loop without a task (stop, signals).
  void wake() noexcept;

  int fd = -1;  // eventfd watched by the loop

 private:
  std::mutex mu_;
  std::vector<unique_function<void()>> tasks_;
  bool signaled_ = false;
  bool closed_ = false;
};

}  // namespace lwspp::detail
