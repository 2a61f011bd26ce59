// Name resolution off the loop thread: one worker thread per context runs
// getaddrinfo and posts the answer back to the asking loop. (Async DNS on the
// loop itself comes later; this keeps a slow resolver from blocking I/O.)
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lwspp/address.hpp"
#include "lwspp/function.hpp"
#include "lwspp/result.hpp"

namespace lwspp::detail {

// Resolves host synchronously (getaddrinfo, TCP), IPv6 and IPv4 results
// interleaved so that a connect trying them in turn alternates families.
result<std::vector<address>> resolve_now(const std::string& host, std::uint16_t port);

class resolver {
 public:
  using callback = unique_function<void(result<std::vector<address>>)>;
  ~resolver();

  // Any thread. done runs on the worker thread: it should post to a loop.
  void resolve(std::string host, std::uint16_t port, callback done);

 private:
  struct job {
    std::string host;
    std::uint16_t port;
    callback done;
  };
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<job> jobs_;
  std::thread worker_;
  bool quit_ = false;
};

}  // namespace lwspp::detail
