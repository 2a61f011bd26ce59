// Drives a client connection from a target string to an open socket:
// resolve (off the loop), then connect to the addresses, all within one
// deadline. When the answer holds both IPv6 and IPv4 addresses (interleaved
// by the resolver, IPv6 first) the attempts overlap, Happy Eyeballs style
// (RFC 8305 §5): the next address is dialled when the current attempts have
// not connected after connect_options::attempt_delay, or at once when one
// fails; the first to connect wins and the others are closed. On success the
// connection starts; when every attempt fails it closes with the most telling
// attempt's reason (see note_failure). With a tunnel (a proxy's CONNECT or
// SOCKS5, <lwspp/tunnel.hpp>) the winning socket first runs its handshake,
// within the same deadline, and the connection starts after it (its TLS
// handshake, then the role).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lwspp/context.hpp"
#include "net/resolver.hpp"

namespace lwspp::detail {

class connector final : public std::enable_shared_from_this<connector>, private loop_member {
 public:
  // At most this many connects in flight at once; past it the next address
  // waits for one to fail. Bounds the sockets one connect can hold open.
  static constexpr std::size_t max_attempts = 4;

  // setup_error: the connection cannot be made (say, its TLS settings were
  // refused); start() fails it with this reason at once. Of opts, only the
  // timing is used (connect_timeout, attempt_delay).
  connector(connection_ref c, std::string target, const connect_options& opts,
            std::optional<close_reason> setup_error = {}, std::unique_ptr<tunnel> tun = {});
  ~connector();

  // Loop thread. Resolves the target, then connects.
  void start(resolver& dns);
  // Loop thread. Connects to these addresses, in this order, as if the target
  // had resolved to them (for tests: getaddrinfo cannot be made to answer
  // with a chosen mix of families).
  void start(std::vector<address> addrs);

 private:
  // One connect() in flight: its own io_handler, since the loop tells a
  // handler that its socket is ready but not which socket.
  struct attempt final : io_handler {
    connector* owner = nullptr;
    int fd = -1;
    std::uint32_t index = 0;  // into addrs_
    void on_io(std::uint32_t) override { owner->on_attempt_io(*this); }
  };

  bool begin();
  void on_resolved(result<std::vector<address>> addrs);
  void start_next();
  std::size_t in_flight() const noexcept;  // attempts pending
  void on_attempt_io(attempt& a);
  void hand_over(attempt& winner);
  void start_connection(int fd, const address& peer);
  // The tunnel: on the winning socket (fd_), watched by the connector itself.
  void on_io(std::uint32_t events) override;
  void start_tunnel();
  void read_tunnel();
  bool flush_tunnel();  // false when the attempt ended
  void on_loop_shutdown() override { give_up(close_reason(error::server_stopping)); }
  void on_loop_force_close() override { give_up(close_reason(error::server_stopping)); }
  void on_timer();
  void arm_timer();
  void note_failure(error_info e);
  void drop(attempt& a) noexcept;
  // Ends the attempt: conn_ fails with why (unless the user closed it already).
  void give_up(close_reason why);
  void done();
  bool abandoned() const noexcept;

  connection_ref conn_;
  std::shared_ptr<connector> self_;  // alive until done()
  std::string target_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds delay_;  // between attempts; 0 = one at a time
  std::vector<address> addrs_;
  std::size_t next_ = 0;
  std::array<attempt, max_attempts> attempts_;
  // One timer for both instants: the deadline, and when the next address is
  // due while the current attempts are still pending.
  timer timer_;
  clock_type::time_point deadline_at_{};
  clock_type::time_point next_at_{};
  error_info failure_;  // the most telling failure so far
  bool finished_ = false;
  std::optional<close_reason> setup_error_;
  std::unique_ptr<tunnel> tunnel_;
  int fd_ = -1;             // the winning socket while the tunnel runs
  address peer_;            // its address (the proxy's)
  std::string tunnel_out_;  // bytes for the proxy not yet written
  bool tunneling_ = false;
  bool tunnel_done_ = false;  // done, waiting for tunnel_out_ to drain
  bool want_write_ = false;   // io_writable is in fd_'s watch
};

}  // namespace lwspp::detail
