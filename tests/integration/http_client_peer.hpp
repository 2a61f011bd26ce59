// Test peers for the HTTP client: a scripted server on a plain blocking
// socket (every byte it sends is the test's to choose: hostile responses,
// stalls, early closes) and a synchronous wrapper around client requests.
#pragma once
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lwspp/http_client.hpp"
#include "test_support.hpp"

namespace test {

// Reads from fd until the request head (and a Content-Length body) is in
// `buf`; returns the head, "" when the peer closed first.
inline std::string read_request(int fd, std::string& buf, int timeout_ms = 10000) {
  for (;;) {
    const std::size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = buf.substr(0, end + 4);
      std::size_t body = 0;
      const std::size_t cl = head.find("Content-Length: ");
      if (cl != std::string::npos) body = std::stoul(head.substr(cl + 16));
      if (buf.size() >= end + 4 + body) {
        buf.erase(0, end + 4 + body);
        return head;
      }
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    char tmp[16384];
    const ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) return {};
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}

// A server that runs `script(fd, connection_number)` for each connection
// it accepts, on a thread of its own, then closes the socket.
class scripted_server {
 public:
  using script_fn = std::function<void(int fd, int n)>;
  explicit scripted_server(script_fn script) : script_(std::move(script)) {
    lfd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(lfd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(lfd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    t_ = std::thread([this] { accept_loop(); });
  }
  ~scripted_server() {
    stop_ = true;
    ::shutdown(lfd_, SHUT_RDWR);
    t_.join();
    {
      // Scripts still waiting on a connection the client keeps open: wake them.
      std::lock_guard lock(mu_);
      for (int fd : open_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& w : workers_)
      w.join();
    ::close(lfd_);
  }
  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  int accepted() const { return accepted_.load(); }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{lfd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int fd = ::accept4(lfd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int n = accepted_++;
      {
        std::lock_guard lock(mu_);
        open_.push_back(fd);
      }
      workers_.emplace_back([this, fd, n] {
        script_(fd, n);
        std::lock_guard lock(mu_);
        std::erase(open_, fd);
        ::close(fd);
      });
    }
  }
  script_fn script_;
  int lfd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread t_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<int> open_;  // accepted sockets whose script runs
};

// One request, waited for (bounded).
inline lwspp::result<lwspp::http::client_response> fetch(lwspp::http::client& c,
                                                         lwspp::http::client_request req) {
  auto p = std::make_shared<std::promise<lwspp::result<lwspp::http::client_response>>>();
  auto f = p->get_future();
  c.request(std::move(req),
            [p](lwspp::result<lwspp::http::client_response> r) { p->set_value(std::move(r)); });
  if (f.wait_for(60s) != std::future_status::ready)
    return lwspp::error_info(lwspp::error::io_error, "the test timed out waiting");
  return f.get();
}

inline lwspp::result<lwspp::http::client_response> fetch(lwspp::http::client& c, std::string url) {
  lwspp::http::client_request req;
  req.url = std::move(url);
  return fetch(c, std::move(req));
}

}  // namespace test
