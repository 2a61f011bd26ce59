#include "net/resolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

namespace lwspp::detail {

result<std::vector<address>> resolve_now(const std::string& host, std::uint16_t port) {
  // An IP literal needs no resolver.
  if (auto ip = address::from_ip(host, port)) return std::vector<address>{*ip};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
  if (rc != 0) return error_info(error::dns_failed, host + ": " + ::gai_strerror(rc));
  std::vector<address> v6, v4;
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    address a = address::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    (a.kind() == address::family::ipv6 ? v6 : v4).push_back(a);
  }
  ::freeaddrinfo(list);
  std::vector<address> out;
  for (std::size_t i = 0; i < v6.size() || i < v4.size(); ++i) {
    if (i < v6.size()) out.push_back(v6[i]);
    if (i < v4.size()) out.push_back(v4[i]);
  }
  if (out.empty()) return error_info(error::dns_failed, host + ": no addresses");
  return out;
}

resolver::~resolver() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void resolver::resolve(std::string host, std::uint16_t port, callback done) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back({std::move(host), port, std::move(done)});
    if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  }
  cv_.notify_one();
}

void resolver::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return quit_ || !jobs_.empty(); });
    if (quit_) return;
    job j = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    j.done(resolve_now(j.host, j.port));
    lock.lock();
  }
}

}  // namespace lwspp::detail
