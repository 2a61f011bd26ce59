// lwspp::context — the service loops, the vhosts and their listeners.
//
// A context owns N loops (default 1). run() drives loop 0 on the calling
// thread and loops 1..N-1 on threads of its own. Each TCP vhost gets one
// SO_REUSEPORT listener per loop, so the kernel spreads accepted connections
// across loops and nothing is shared between them. Unix-socket vhosts listen
// on loop 0.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lwspp/address.hpp"
#include "lwspp/connection.hpp"
#include "lwspp/log.hpp"
#include "lwspp/loop.hpp"
#include "lwspp/result.hpp"
#include "lwspp/tls.hpp"
#include "lwspp/tunnel.hpp"

namespace lwspp {

namespace detail {
class listener;
class tls_port;
}  // namespace detail
namespace tls {
class server_context;
class client_context;
class session;
}  // namespace tls

struct context_options {
  unsigned loops = 1;  // service loops (threads); 0 means 1
  log_level level = log_level::notice;
  log_sink sink = {};                             // empty: stderr
  std::chrono::milliseconds drain_timeout{5000};  // graceful stop: time to flush writes
};

struct vhost_options {
  std::string name = "default";
  // Where to listen: "127.0.0.1:7681", "[::]:443", "0.0.0.0:0" (any port:
  // see vhost::bound_address), "unix:/run/app.sock", "unix:@abstract-name".
  std::string listen = {};
  int backlog = 511;
  // Cap on open connections per loop for this vhost (0 = no cap). Past it new
  // connections are accepted and closed at once, so the backlog does not fill.
  std::size_t max_connections = 0;
  // Cap on open connections from one client IP address per loop (0 = no cap).
  std::size_t max_connections_per_ip = 0;
  // Remove a stale Unix socket file before binding (not for abstract names).
  bool unlink_stale_socket = true;
  connection_options connection = {};
  // TLS on this vhost's port (docs/tls.md). Several TLS vhosts may give the
  // same `listen`: they share the port and the client's SNI name picks the
  // vhost (the first one added is the default).
  std::optional<tls_server_options> tls = {};
  // The SNI names this vhost serves ("example.com", "*.example.com"). Empty:
  // its name, except for the first vhost of a port, which serves every name
  // the others do not (unless its tls.unknown_name is reject).
  std::vector<std::string> server_names = {};
  // A handshake that has not finished by then is closed (tls_error::handshake_timeout).
  std::chrono::milliseconds tls_handshake_timeout{10000};
  // What plaintext HTTP sent to this TLS port gets.
  tls_plaintext_http plaintext_http = tls_plaintext_http::error_page;
};

// Makes the role object for a new connection; the role lives as long as the
// connection (or, when the factory returns a shared one, as long as the vhost).
struct role_factory {
  // Either a role shared by all connections of the vhost...
  std::shared_ptr<role> shared = {};
  // ...or one made per connection.
  std::function<std::unique_ptr<role>(connection&)> make = {};
};

class vhost {
 public:
  const std::string& name() const noexcept { return opts_.name; }
  const vhost_options& options() const noexcept { return opts_; }
  // The address actually bound (with the real port when ":0" was asked).
  const address& bound_address() const noexcept { return bound_; }
  // Connections open now, across loops.
  std::size_t connection_count() const noexcept { return open_.load(std::memory_order_relaxed); }
  std::uint64_t accepted_total() const noexcept {
    return accepted_.load(std::memory_order_relaxed);
  }
  std::uint64_t refused_total() const noexcept { return refused_.load(std::memory_order_relaxed); }

  bool is_tls() const noexcept { return tls_ != nullptr; }
  // Handshakes completed and failed (failures are logged at info with the
  // peer and the backend's reason), across loops.
  std::uint64_t tls_handshakes() const noexcept {
    return tls_handshakes_.load(std::memory_order_relaxed);
  }
  std::uint64_t tls_handshake_failures() const noexcept {
    return tls_failures_.load(std::memory_order_relaxed);
  }
  // Reads this vhost's certificate, key and CA files again. New connections
  // use the new certificate; open ones go on with theirs. On error (which
  // names the file and the reason) the old certificate stays. Any thread.
  result<void> reload_tls();

 private:
  friend class context;
  friend class detail::listener;
  friend class detail::tls_port;
  vhost_options opts_;
  role_factory roles_;
  address bound_;
  std::atomic<std::size_t> open_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::shared_ptr<tls::server_context> tls_;  // with opts_.tls
  std::shared_ptr<detail::tls_port> port_;    // the TLS port this vhost serves on
  std::atomic<std::uint64_t> tls_handshakes_{0};
  std::atomic<std::uint64_t> tls_failures_{0};
};

struct connect_options {
  connection_options connection = {};
  // Budget for resolving and connecting, every address included.
  std::chrono::milliseconds connect_timeout{10000};
  // Happy Eyeballs (RFC 8305 §5 "Connection Attempt Delay", which recommends
  // 250 ms): when a name has IPv6 and IPv4 addresses, the next address is
  // dialled if the pending attempts have not connected after this long (or at
  // once when one fails), and the first to connect wins. 0 = one address at a
  // time, each waiting for the previous to fail.
  std::chrono::milliseconds attempt_delay{250};
  unsigned loop_index = 0;  // which service loop drives the connection
  // TLS over the connection. Verification is on by default; server_name
  // defaults to the host of the target. Contexts (trust store, session cache
  // for resumption) are made once per distinct option set and reused.
  std::optional<tls_client_options> tls = {};
  std::chrono::milliseconds tls_handshake_timeout{10000};
  // A handshake on the socket after the TCP connect, before TLS and the
  // role: a proxy's CONNECT or SOCKS5 (<lwspp/http_proxy.hpp>: route_via
  // sets it). When set, the target given to connect() is the proxy's
  // address, and TLS's server name defaults to the tunnel's destination
  // host. Called once per connect(), on the calling thread; the tunnel runs
  // within connect_timeout, and its failure is the connection's close_reason.
  std::function<std::unique_ptr<tunnel>()> make_tunnel = {};
};

class context {
 public:
  explicit context(context_options opts = {});
  ~context();  // stops the loops, aborts what is left
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  // Creates a vhost and binds its listeners now (so errors such as "address in
  // use" are reported here). Call before run().
  result<vhost*> add_vhost(vhost_options opts, role_factory roles);

  // Connects to "host:port", "[v6]:port" or "unix:/path" (resolving off the
  // loop thread, then trying the addresses: see connect_options). Any
  // thread. The handle is valid at once; failures arrive as on_close with the
  // reason.
  connection_handle connect(std::string_view target, role_factory roles, connect_options opts = {});

  // Adopts an open fd (an accepted socket, a pipe, a file) into loop
  // loop_index. The context takes ownership of fd. Any thread.
  result<connection_handle> adopt(int fd, role_factory roles, connection_options opts = {},
                                  unsigned loop_index = 0);

  // Runs every loop until stop() (or a graceful stop) finishes. Returns 0.
  int run();
  // Any thread: graceful stop — stop accepting, let in-flight writes drain up
  // to drain_timeout, close what is left, return from run().
  void stop();
  // Any thread: stop now; open connections are aborted by the destructor.
  void stop_now() noexcept;
  // Routes SIGINT and SIGTERM to a graceful stop() of this context (one
  // context per process may own the signals). With on_hangup, SIGHUP runs it
  // on loop 0's thread (servers reload their certificates there).
  void handle_signals(std::function<void()> on_hangup = {});

  std::size_t loop_count() const noexcept { return loops_.size(); }
  loop& get_loop(std::size_t i = 0) { return *loops_.at(i); }
  const logger& log() const noexcept { return log_; }
  logger& log() noexcept { return log_; }
  const std::vector<std::unique_ptr<vhost>>& vhosts() const noexcept { return vhosts_; }
  const context_options& options() const noexcept { return opts_; }

  // --- for library layers ---------------------------------------------------
  // Per-context state of a layer above core, which core does not know (the
  // ws pub/sub topic registry): the T of this context, made as T(*this) on
  // first use (T's constructor must not ask for extensions). Any thread;
  // finding one that exists takes no lock. At most max_extensions kinds.
  // Extensions are destroyed after the loops, so code on a loop thread (a
  // closing connection) may use them to the end.
  template <class T>
  T& extension() {
    return *static_cast<T*>(
        find_extension(&extension_tag<T>,
                       [](context& c) -> std::shared_ptr<void> { return std::make_shared<T>(c); }));
  }
  // The T of this context if it was made, else nullptr (never makes one).
  template <class T>
  T* existing_extension() noexcept {
    return static_cast<T*>(lookup_extension(&extension_tag<T>));
  }
  static constexpr std::size_t max_extensions = 8;

 private:
  template <class T>
  static constexpr char extension_tag = 0;
  void* find_extension(const void* key, std::shared_ptr<void> (*make)(context&));
  void* lookup_extension(const void* key) const noexcept;
  struct internals;  // resolver and signal watcher: no system headers here

  result<std::shared_ptr<tls::client_context>> client_tls(const tls_client_options& o);
  // A client TLS session verifying `host` (unless o.server_name is set).
  result<std::unique_ptr<tls::session>> client_session(const tls_client_options& o,
                                                       std::string_view host);

  context_options opts_;
  logger log_;
  std::unique_ptr<internals> in_;
  // Before loops_: destroyed after them (see extension()). Slots below
  // extension_count_ are written once, before the count is published.
  std::shared_ptr<void> extensions_[max_extensions];
  const void* extension_keys_[max_extensions] = {};
  std::atomic<std::size_t> extension_count_{0};
  std::mutex extensions_mutex_;
  std::vector<std::unique_ptr<loop>> loops_;
  std::vector<std::unique_ptr<vhost>> vhosts_;
  std::vector<std::unique_ptr<detail::listener>> listeners_;
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace lwspp
