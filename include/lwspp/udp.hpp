// lwspp::udp_socket — a datagram socket on a loop (IPv4, IPv6 or Unix).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "lwspp/address.hpp"
#include "lwspp/loop.hpp"
#include "lwspp/result.hpp"

namespace lwspp {

class udp_socket final : private detail::loop_member {
  struct private_tag {};

 public:
  struct handlers {
    std::function<void(udp_socket&, std::string_view datagram, const address& from)> on_datagram =
        {};
    std::function<void(udp_socket&, const error_info&)> on_error = {};
  };

  // Binds to "127.0.0.1:5353", "[::]:0", "unix:/path" or "unix:@name" on loop l.
  static result<std::unique_ptr<udp_socket>> bind(loop& l, std::string_view where, handlers h);
  udp_socket(private_tag, loop& l, int fd, handlers h);
  ~udp_socket();

  // Sends one datagram. A datagram is sent whole or not at all: a full socket
  // buffer gives EAGAIN as an error (UDP has no queue to wait in).
  result<void> send_to(const address& to, std::string_view datagram);
  const address& local() const noexcept { return local_; }
  std::uint64_t received() const noexcept { return received_; }
  void close() noexcept;

 private:
  void on_io(std::uint32_t events) override;
  void on_loop_shutdown() override { close(); }
  void on_loop_force_close() override { close(); }

  int fd_;
  handlers h_;
  address local_;
  std::uint64_t received_ = 0;
};

}  // namespace lwspp
