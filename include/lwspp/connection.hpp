// lwspp::connection — a stream socket (TCP, Unix, or an adopted fd) driven by
// its loop, and the weak handle user code keeps.
//
// Lifetime (docs/lifetimes.md): created by accept/connect/adopt → on_open →
// data, writable … → close() or abort() or the peer or an error → on_close
// with a close_reason, exactly once → memory released when the loop is done
// with it. A connection& given to a handler is valid for that call; to keep
// talking to it later or from another thread, keep a connection_handle.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lwspp/address.hpp"
#include "lwspp/buffer.hpp"
#include "lwspp/error.hpp"
#include "lwspp/loop.hpp"
#include "lwspp/timer.hpp"
#include "lwspp/tls.hpp"

namespace lwspp {

class connection;
namespace tls {
class session;
}
namespace detail {
class listener;
// What a connection_handle points at: the connection, or null once it is
// gone. Written on the loop thread; read there, except expired()'s hint.
struct connection_anchor {
  std::atomic<connection*> conn;
  explicit connection_anchor(connection* c) : conn(c) {}
};
}  // namespace detail

enum class send_status : std::uint8_t {
  written,  // all bytes went to the kernel
  queued,   // some or all bytes wait in the write queue (see send_result::buffered)
  refused,  // nothing was taken: the connection is closing, or the hard limit was hit
};

struct send_result {
  send_status status = send_status::written;
  std::size_t buffered = 0;   // bytes now waiting in the write queue
  bool backpressure = false;  // buffered is above the high-water mark: wait for on_writable

  bool ok() const noexcept { return status != send_status::refused; }
  explicit operator bool() const noexcept { return ok(); }
};

// What happens when a send would take the write queue past write_limit.
enum class overflow_policy : std::uint8_t {
  refuse,  // the send is refused; the connection stays open
  close,   // the connection is aborted with error::write_buffer_full
};

// Per-connection limits and timeouts, all with safe defaults.
struct connection_options {
  // Above this many queued bytes send() reports backpressure; on_writable
  // fires once the queue has drained below half of it.
  std::size_t write_high_water = 256 * 1024;
  // Hard cap on queued bytes; what happens past it is on_overflow.
  std::size_t write_limit = 16 * 1024 * 1024;
  overflow_policy on_overflow = overflow_policy::refuse;
  // Close with error::idle_timeout when nothing is read or written this long (0 = never).
  std::chrono::milliseconds idle_timeout{0};
  // A graceful close first flushes the queue, for at most close_timeout (then
  // the rest is dropped: error::flush_timeout, RST)...
  std::chrono::milliseconds close_timeout{10000};
  // ...then sends FIN and waits this long for the peer's FIN before closing
  // anyway (closing with unread input would reset the connection).
  std::chrono::milliseconds close_linger{2000};
};

// The interface a protocol role implements (raw today; h1, ws, h2, mqtt
// later). A role switch (h1 → ws) replaces the role, not the connection.
class role {
 public:
  virtual ~role() = default;
  virtual void on_open(connection&) {}
  virtual void on_data(connection&, std::string_view bytes) = 0;
  virtual void on_writable(connection&) {}
  virtual void on_close(connection&, const close_reason&) {}
  // The loop is shutting down: finish what is in flight. Default: close().
  virtual void on_shutdown(connection& c);
  // The peer has shut down its sending side (EOF). Default: close() with
  // error::peer_closed (what is queued still goes out) or, under TLS when
  // the EOF came without the peer's close_notify, tls_error::truncated
  // (not clean()). A role that owes the peer an answer (an HTTP response in
  // progress) may keep writing and close when done.
  virtual void on_peer_eof(connection& c);
  // The role timer (connection::set_role_timer) has run out. Default: nothing.
  virtual void on_role_timer(connection&) {}
};

// A weak reference to a connection, usable from any thread. Operations post
// to the connection's loop; operations posted from one thread run in order.
// After the connection has closed they do nothing (and report false when the
// loss is already known).
class connection_handle {
 public:
  connection_handle() = default;

  // Copies or moves the bytes and sends them on the loop thread.
  bool send(std::string bytes) const;
  bool close() const;
  bool abort() const;
  // Runs fn(connection&) on the loop thread unless the connection has closed
  // by then (it may still be connecting or closing: check current_state()).
  bool dispatch(unique_function<void(connection&)> fn) const;

  // A hint: true once the connection is known to be gone.
  bool expired() const noexcept {
    return !anchor_ || anchor_->conn.load(std::memory_order_acquire) == nullptr;
  }
  // Loop thread only: the connection, or nullptr once closed.
  connection* get() const noexcept;

 private:
  friend class connection;
  connection_handle(std::shared_ptr<detail::connection_anchor> a,
                    std::shared_ptr<detail::post_queue> q)
      : anchor_(std::move(a)), queue_(std::move(q)) {}
  std::shared_ptr<detail::connection_anchor> anchor_;
  std::shared_ptr<detail::post_queue> queue_;
};

// An owning reference to a connection, used by the library on the loop
// thread (the count is not atomic). The loop holds one while the connection
// is open; deferred work holds one so that the memory outlives the batch.
class connection_ref {
 public:
  connection_ref() noexcept = default;
  explicit connection_ref(connection* c) noexcept;  // adds a reference
  connection_ref(const connection_ref& o) noexcept : connection_ref(o.p_) {}
  connection_ref(connection_ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  connection_ref& operator=(connection_ref o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~connection_ref();

  connection* get() const noexcept { return p_; }
  connection* operator->() const noexcept { return p_; }
  connection& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  friend class connection;
  struct adopt_tag {};
  connection_ref(connection* c, adopt_tag) noexcept : p_(c) {}  // takes over a reference
  connection* p_ = nullptr;
};

class connection final : private detail::loop_member {
  struct private_tag {};

 public:
  enum class state : std::uint8_t {
    connecting,  // resolving / connecting (clients)
    open,        // on_open has run
    closing,     // graceful close: flushing, then waiting for the peer's FIN
    closed,      // the socket is closed; on_close runs (or has run) after this handler
  };

  // Wraps a connected, non-blocking socket (or any fd) on loop l. Used by
  // listeners, connectors and adopt(); starts reading on start().
  //
  // opts is copied, unless shared_opts is given: then the connection points
  // at it (a vhost's options, which outlive its connections) and copies only
  // if a setting is changed for this connection.
  static connection_ref create(loop& l, int fd, role& r, const connection_options& opts,
                               bool shared_opts = false);
  connection(private_tag, loop& l, int fd, role& r, const connection_options& opts,
             bool shared_opts);
  ~connection();

  // --- writing (loop thread) ---------------------------------------------
  send_result send(std::string_view bytes);
  send_result send(std::string&& bytes);  // adopted without a copy when it must queue
  send_result send(const char* text) { return send(std::string_view(text)); }
  // Bytes shared with other connections (one frame published to many): what
  // must wait is queued by reference, not copied (under TLS they are
  // encrypted at once, like any send).
  send_result send(const shared_slice& bytes);
  // Ask for on_writable once the socket can take more and the write queue is at
  // or below half the high-water mark (at once, in effect, when it is empty).
  void request_writable();
  std::size_t buffered() const noexcept { return wq_ ? wq_->size() : 0; }
  // For library layers: sends up to len bytes of file fd from offset straight
  // to the socket (sendfile(2); a read-and-send loop for non-sockets), only
  // when nothing is queued. Returns the bytes sent; fewer than len means the
  // socket is full (on_writable is armed) or the connection failed (check
  // is_open()). A read error on the file closes with error::io_error.
  std::uint64_t send_file(int file_fd, std::uint64_t offset, std::uint64_t len);
  // For library layers answering several requests from one read (HTTP/1.1
  // pipelining): between cork() and uncork() small sends are queued, not
  // written, and leave together in one sendmsg at uncork() (or as soon as
  // 16 KiB are waiting). A larger send, send_file and close() flush what
  // waits first, so the order of bytes never changes. send() reports corked
  // bytes as queued, as they are.
  void cork() noexcept { corked_ = true; }
  void uncork();

  // Half-close: this side sends nothing more, and goes on reading. What is
  // already queued goes out first; the FIN (shutdown(SHUT_WR)) follows once
  // the queue is empty — at once when it already is. Under TLS a
  // close_notify alert goes ahead of the FIN: it is TLS's end of data, and a
  // bare FIN would look like truncation to the peer. The peer must then keep
  // sending after close_notify, which TLS 1.3 allows (RFC 8446 §6.1); many
  // TLS 1.2 peers answer close_notify by closing.
  // Afterwards send() and send_file() are refused; the peer's own EOF comes
  // to role::on_peer_eof as before, and close() or abort() end the
  // connection; an on_writable asked for still comes when the queue
  // drains. Returns true once asked (again: true, nothing more); false, doing
  // nothing, when the connection is not open, its TLS handshake is not done,
  // or its fd is not a socket (an adopted pipe) — or when flushing corked
  // bytes failed (the connection is closing). Loop thread.
  bool shutdown_write();
  // shutdown_write() was called (the FIN may still wait for the queue).
  bool write_shut_down() const noexcept { return fin_wanted_; }

  // --- reading -------------------------------------------------------------
  void pause_reading();
  void resume_reading();
  bool reading_paused() const noexcept { return paused_; }

  // --- closing -------------------------------------------------------------
  // Graceful: flush the queue, FIN, wait (close_linger) for the peer, on_close.
  void close();
  // Immediate: drop the queue, reset the connection (RST), on_close.
  void abort();
  // Graceful close (as close()) that reports the given reason to on_close.
  void close(close_reason why);

  // --- about ---------------------------------------------------------------
  state current_state() const noexcept { return state_; }
  bool is_open() const noexcept { return state_ == state::open; }
  // The peer's address (kept from accept/connect; for Unix peers asked of
  // the socket while it is open).
  address peer() const;
  // The local address, asked of the socket (empty once closed).
  address local() const;
  int fd() const noexcept { return fd_; }
  loop& get_loop() const noexcept { return owner(); }
  connection_handle handle();
  // Replaces the idle timeout for this connection (0: none).
  void set_idle_timeout(std::chrono::milliseconds t);
  // The role's timer, for roles that need one deadline at a time (a
  // WebSocket's ping interval, pong and close timeouts). It is the
  // connection's own timer, so a role pays no memory for one. Once `after`
  // has passed — counted from the last byte read when `since_last_read` (a
  // new read pushes the deadline back; writes do not), else from now —
  // role::on_role_timer(c) runs once. While set it replaces the idle
  // timeout; after <= 0 cancels it (the idle timeout applies again). At most
  // about 24 days. Loop thread; only while open.
  void set_role_timer(std::chrono::milliseconds after, bool since_last_read);
  const connection_options& options() const noexcept { return *opts_; }
  std::uint64_t bytes_read() const noexcept { return bytes_in_; }
  std::uint64_t bytes_written() const noexcept { return bytes_out_; }

  // --- TLS -------------------------------------------------------------------
  // Whether this connection speaks TLS. The rest say what its handshake
  // negotiated ("" / false / empty before the handshake and for plain TCP).
  // bytes_read()/bytes_written() and buffered() count ciphertext.
  bool is_tls() const noexcept { return tls_; }
  std::string_view tls_alpn() const noexcept;         // "h2", "http/1.1", ""
  std::string_view tls_server_name() const noexcept;  // the SNI name
  std::string_view tls_version() const noexcept;      // "TLSv1.3"
  std::string_view tls_cipher() const noexcept;
  bool tls_resumed() const noexcept;
  // The peer's certificate: a client's (mTLS) on a server, the server's on a
  // client. Empty when none was presented.
  tls_peer_identity tls_peer() const;

  // Per-connection user state of type T (default-constructed on first use,
  // destroyed with the connection). One type per connection: asking for a
  // second type is a programming error and aborts with a message.
  template <class T>
  T& state_as() {
    extras& x = more();
    if (!x.user) {
      x.user = {new T(), [](void* p) { delete static_cast<T*>(p); }};
      x.user_type = &type_tag<T>;
    }
    if (x.user_type != &type_tag<T>) detail_bad_state_type();
    return *static_cast<T*>(x.user.get());
  }

  // --- for library layers ------------------------------------------------
  role& current_role() const noexcept { return *role_; }
  // Replaces the role (h1 → ws); the old one stays valid until this call returns.
  void switch_role(role& r, std::unique_ptr<role> owned = nullptr);
  // The connection owns r and deletes it with itself.
  void own_role(std::unique_ptr<role> r);
  // Keeps a role shared between connections alive as long as this one.
  void share_role(std::shared_ptr<role> r);
  // Uses r, which its owner keeps alive longer than this connection (a
  // vhost's shared role: the vhost outlives its connections).
  void borrow_role(role& r);
  void set_peer(const address& peer);
  // Starts watching the fd and runs on_open (state: open).
  void start();
  // The listener that accepted this connection: told after on_close, so it
  // can keep its per-vhost and per-IP counts.
  void set_origin(detail::listener* l) noexcept { origin_ = l; }
  // For connectors: a connection made before its socket (state connecting);
  // attach_fd() gives it the connected socket, start() follows.
  // Loop thread.
  void set_connecting();
  void attach_fd(int fd) noexcept { fd_ = fd; }
  // Closes a connection that never opened (connect failure) with its reason.
  void fail(close_reason why);
  // Puts TLS under the role: call before start(). The role's on_open runs
  // once the handshake is done (within handshake_timeout); bytes sent before
  // that wait. A failed handshake closes with the session's reason (the
  // role gets on_close without on_open, as for a failed connect). For an
  // accepted connection the listener is told first: it counts, logs, and
  // switches to the vhost the client's SNI name chose.
  void set_tls(std::unique_ptr<tls::session> s, std::chrono::milliseconds handshake_timeout,
               tls_plaintext_http plaintext = tls_plaintext_http::error_page);
  // The TLS session (is_tls() only).
  const tls::session& tls_session() const noexcept { return *x_->tls; }
  // Uses these options instead (a vhost's, which outlive the connection).
  void borrow_options(const connection_options& opts) noexcept;

 private:
  void on_io(std::uint32_t events) override;
  void on_loop_shutdown() override;
  void on_loop_force_close() override;

  void handle_readable();
  void handle_writable();
  bool flush();  // false if the connection failed while writing
  send_result write_corked(std::string_view bytes, std::string* owned, const shared_slice* shared);
  // The write queue to the socket, as far as it takes it; nothing else (no
  // on_writable, no close phase): false if the connection failed.
  bool write_queue(bool in_handler);
  // `owned` or `shared`, when given, hold `bytes`: queued by move or by reference.
  send_result queue_bytes(std::string_view bytes, std::string* owned,
                          const shared_slice* shared = nullptr);
  // Bytes for the socket (plaintext, or ciphertext under TLS): written now
  // when nothing waits and the connection is open, else queued.
  send_result write_out(std::string_view bytes, std::string* owned,
                        const shared_slice* shared = nullptr);
  // TLS transport (connection_tls.cpp). Under TLS the loop's read buffer is
  // split: ciphertext is read into the front, plaintext decrypted into the
  // last tls_plaintext_room bytes (one full TLS record).
  static constexpr std::size_t tls_plaintext_room = 16 * 1024;
  bool tls_input(std::string_view ciphertext, std::span<char> plaintext);
  send_result tls_send(std::string_view plaintext);
  void tls_push_output();
  void tls_handshake_done();
  void tls_failed(std::string_view first_bytes);
  void tls_plaintext_reply(std::string_view request);
  void tls_resume_input();
  void tls_send_close_notify();
  void update_interest();
  // Stamps activity for the idle timeout and the role timer. Writes do not
  // count while a role timer runs since the last read.
  void touch() noexcept;
  void touch_write() noexcept {
    if (!role_timer_reads_) touch();
  }
  std::uint32_t now_ms() const noexcept;
  void on_io_events(std::uint32_t events);
  void on_timer();
  static void on_timer_thunk(void* self);
  // A handler threw (out of memory, say): the connection resets with the
  // exception's reason; the loop and the other connections go on. Call only
  // inside a catch block (core/exception_guard.hpp).
  void end_by_exception() noexcept;
  void begin();  // start() without its catch
  connection_options& own_options();
  void finish(close_reason why, bool reset);
  void fail_after_handler(close_reason why);
  close_reason take_pending_reason();
  void join_loop();
  void shut_write();
  void send_fin() noexcept;  // shutdown(SHUT_WR): the write side is done
  bool over_limit(std::size_t extra);
  std::uint64_t send_file_copy(int file_fd, std::uint64_t offset, std::uint64_t len);

  template <class T>
  static constexpr char type_tag = 0;
  [[noreturn]] static void detail_bad_state_type();

  // What most connections never need lives apart, allocated on first use:
  // an idle keep-alive connection is then one small object (see
  // docs/architecture.md, "Memory per connection").
  struct extras {
    std::shared_ptr<role> shared_role;                              // share_role()
    std::unique_ptr<connection_options> own_opts;                   // when not shared, or changed
    std::unique_ptr<address> peer_unix;                             // a Unix client's target path
    std::unique_ptr<void, void (*)(void*)> user{nullptr, nullptr};  // state_as<T>()
    const void* user_type = nullptr;
    std::unique_ptr<close_reason> pending_reason;       // only while closing gracefully
    std::shared_ptr<detail::connection_anchor> anchor;  // once handle() was asked
    std::unique_ptr<tls::session> tls;                  // set_tls()
    std::string tls_in;     // ciphertext read but not yet fed (reading paused)
    std::string tls_early;  // plaintext sent before the handshake finished
    std::chrono::milliseconds tls_timeout{0};
    tls_plaintext_http tls_plaintext = tls_plaintext_http::error_page;
    ~extras();
  };
  extras& more();
  void drop_role() noexcept;
  friend class connection_ref;
  friend class connection_handle;

  // Layout: ordered so that nothing pads. loop_member ends with a 4-byte
  // index, beside which fd_ packs.
  int fd_;
  std::uint32_t refs_ = 0;      // connection_ref count (loop thread)
  std::uint32_t interest_ = 0;  // io_events currently asked of the loop
  state state_ = state::open;
  std::uint8_t peer_ip_len_ = 0;
  bool paused_ : 1 = false;
  bool watched_ : 1 = false;
  bool want_writable_ : 1 = false;  // request_writable() or backpressure was reported
  bool write_shut_ : 1 = false;
  bool joined_ : 1 = false;  // registered as a member of the loop
  bool is_socket_ : 1 = true;
  bool peer_eof_ : 1 = false;
  bool role_owned_ : 1 = false;  // role_ is deleted with the connection
  bool loop_ref_ : 1 = false;    // the loop holds a reference (open until finish)
  bool tls_ : 1 = false;         // x_->tls is set: bytes pass through it
  bool tls_handshaking_ : 1 = false;
  bool corked_ : 1 = false;            // cork(): small sends wait for uncork()
  bool idle_off_ : 1 = false;          // set_idle_timeout(0) on shared options
  bool role_timer_ : 1 = false;        // set_role_timer() is armed
  bool role_timer_reads_ : 1 = false;  // ...counted from the last read
  bool fin_wanted_ : 1 = false;        // shutdown_write(): FIN once the queue is empty
  // The peer of an IP connection, as a raw sockaddr_in/sockaddr_in6: 28 bytes
  // instead of a full address (which is sized for Unix paths).
  alignas(4) std::byte peer_ip_[28] = {};
  role* role_;
  const connection_options* opts_;
  // The write queue exists only while bytes wait: most writes go straight to
  // the kernel, and an idle connection holds no queue.
  std::unique_ptr<buffer_chain> wq_;
  std::unique_ptr<extras> x_;
  detail::listener* origin_ = nullptr;
  timer timer_;  // idle timeout while open, close linger while closing
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  // Milliseconds of the loop's clock, 32 bits compared with wrap-around:
  // every interval measured from it is far below 2^31 ms.
  std::uint32_t last_activity_ = 0;
  std::uint32_t role_timer_ms_ = 0;  // set_role_timer's `after`
};

inline connection_ref::connection_ref(connection* c) noexcept : p_(c) {
  if (p_) ++p_->refs_;
}

inline connection_ref::~connection_ref() {
  if (p_ && --p_->refs_ == 0) delete p_;
}

}  // namespace lwspp
