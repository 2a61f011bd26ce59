// One listening socket of one vhost on one loop: accepts, applies the
// vhost's connection caps, and starts connections with the vhost's role.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "lwspp/context.hpp"

namespace lwspp::detail {

class listener final : private loop_member {
 public:
  listener(loop& l, vhost& vh, int fd);
  ~listener();

  // Starts accepting; loop thread (or before the loop runs).
  void start();
  // A connection this listener accepted has closed (after its on_close).
  void connection_closed(connection& c);
  void close_socket() noexcept;
  // TLS (connection_tls.cpp calls these for connections this listener made):
  // the handshake finished (count it; move to the vhost SNI chose), or failed
  // (count and log it).
  void tls_ready(connection& c);
  void tls_failed(connection& c, const close_reason& why);
  int fd() const noexcept { return fd_; }

 private:
  void on_io(std::uint32_t events) override;
  void on_loop_shutdown() override { close_socket(); }
  void on_loop_force_close() override { close_socket(); }
  void accept_one(int fd, const address& peer);
  void on_resume_timer();

  vhost& vh_;
  int fd_;
  timer resume_;  // re-enables accept after EMFILE/ENFILE
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
  bool owns_unix_path_ = false;
};

}  // namespace lwspp::detail
