// Drives a client connection from a target string to an open socket:
// resolve (off the loop), then try each address in turn with a non-blocking
// connect, then run the tunnel handshake when there is one (a proxy's
// CONNECT or SOCKS5, <lwspp/tunnel.hpp>), all within one deadline. On
// success the connection starts (its TLS handshake, then the role); on
// failure it closes with the reason of the last attempt or the tunnel's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwspp/context.hpp"
#include "net/resolver.hpp"

namespace lwspp::detail {

class connector final : public std::enable_shared_from_this<connector>, private loop_member {
 public:
  // setup_error: the connection cannot be made (say, its TLS settings were
  // refused); start() fails it with this reason at once.
  connector(connection_ref c, std::string target, std::chrono::milliseconds timeout,
            std::optional<close_reason> setup_error = {}, std::unique_ptr<tunnel> tun = {});
  ~connector();

  // Loop thread.
  void start(resolver& dns);

 private:
  void on_resolved(result<std::vector<address>> addrs);
  void try_next();
  void on_io(std::uint32_t events) override;
  void on_loop_shutdown() override { give_up(close_reason(error::server_stopping)); }
  void on_loop_force_close() override { give_up(close_reason(error::server_stopping)); }
  void on_deadline();
  void connected();  // the TCP connect succeeded: tunnel, or hand over
  void start_tunnel();
  void tunnel_io(std::uint32_t events);
  void read_tunnel();
  bool flush_tunnel();  // false when the attempt ended
  void hand_over();
  void drop_socket() noexcept;
  // Ends the attempt: conn_ fails with why (unless the user closed it already).
  void give_up(close_reason why);
  void done();
  bool abandoned() const noexcept;

  connection_ref conn_;
  std::shared_ptr<connector> self_;  // alive until done()
  std::string target_;
  std::chrono::milliseconds timeout_;
  std::vector<address> addrs_;
  std::size_t next_ = 0;
  int fd_ = -1;
  timer deadline_;
  error_info last_;
  bool finished_ = false;
  std::optional<close_reason> setup_error_;
  std::unique_ptr<tunnel> tunnel_;
  std::string tunnel_out_;  // bytes for the proxy not yet written
  bool tunneling_ = false;
  bool tunnel_done_ = false;  // done, waiting for tunnel_out_ to drain
  bool want_write_ = false;   // io_writable is in the watch
};

}  // namespace lwspp::detail
