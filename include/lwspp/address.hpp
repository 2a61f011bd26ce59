// Socket addresses: IPv4, IPv6 and Unix (path or Linux abstract namespace),
// with parse and format helpers.
//
// Text forms accepted by parse() and produced by to_string():
//   127.0.0.1:7681      [::1]:7681      [fe80::1%lo]:80
//   unix:/run/app.sock  unix:@name   (abstract namespace, Linux)
// The storage is opaque so that this header pulls in no socket headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lwspp/result.hpp"

namespace lwspp {

class address {
 public:
  enum class family : std::uint8_t { none, ipv4, ipv6, unix_path, unix_abstract };

  address() = default;

  // Parses one of the text forms above. A host name is not an address: use
  // split_host_port() and the resolver for those.
  static result<address> parse(std::string_view text);
  // An IP literal ("10.0.0.1", "::1", without brackets) and a port.
  static result<address> from_ip(std::string_view ip, std::uint16_t port);
  static result<address> unix_socket(std::string_view path);  // "@name" = abstract
  // Wraps a kernel sockaddr (from accept, getsockname, getaddrinfo).
  static address from_sockaddr(const void* sa, std::size_t len);

  family kind() const noexcept { return family_; }
  bool is_ip() const noexcept { return family_ == family::ipv4 || family_ == family::ipv6; }
  bool is_unix() const noexcept {
    return family_ == family::unix_path || family_ == family::unix_abstract;
  }
  bool empty() const noexcept { return family_ == family::none; }

  std::uint16_t port() const noexcept;  // 0 for Unix sockets
  void set_port(std::uint16_t port) noexcept;
  std::string ip() const;         // "::1", "127.0.0.1"; "" for Unix
  std::string unix_path() const;  // "/run/app.sock", "@name"; "" for IP
  std::string to_string() const;  // one of the text forms above

  // For the kernel: a struct sockaddr* and its length.
  const void* data() const noexcept { return storage_; }
  void* data() noexcept { return storage_; }
  std::size_t size() const noexcept { return len_; }
  static constexpr std::size_t capacity = 128;  // sizeof(sockaddr_storage)

  friend bool operator==(const address& a, const address& b) noexcept;

 private:
  alignas(8) std::byte storage_[capacity] = {};
  std::uint32_t len_ = 0;
  family family_ = family::none;
};

// "host:port", "[v6]:port" or "host" (with default_port) → host and port.
// The host is returned without brackets. Fails on an empty host, a bad or
// out-of-range port, or an unbracketed IPv6 literal with a port.
struct host_port {
  std::string host;
  std::uint16_t port = 0;
};
result<host_port> split_host_port(std::string_view text, std::uint16_t default_port = 0);

}  // namespace lwspp
