// tls::session — one TLS connection, sans-I/O: ciphertext in, events and
// plaintext out; plaintext in, ciphertext out. It owns no socket and no
// timer; the transport moves the bytes. The backend (OpenSSL today) sits
// behind this interface so that another (mbedTLS) can be added without
// touching the transport or the roles.
//
// Reading follows the codec contract of the other layers: one event per
// feed(), with the number of ciphertext bytes consumed. The caller feeds
// the rest again until need_more (everything consumed), closed or failed:
//
//   for (std::string_view in = bytes;;) {
//     auto ev = s.feed(in, plain);
//     in.remove_prefix(ev.consumed);
//     if (ev.kind == tls::event_kind::data) deliver(plain.first(ev.size));
//     else if (ev.kind != tls::event_kind::handshake_done) break;
//   }
//   send(s.output()); ...
//
// Lifetime: made by a context (server_context via sni_selector, or
// client_context), used by one thread at a time, destroyed by its owner.
// A session keeps what it needs of its context alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lwspp/error.hpp"
#include "lwspp/tls.hpp"

namespace lwspp::tls {

enum class event_kind : std::uint8_t {
  need_more,       // all input consumed; feed more ciphertext when it arrives
  handshake_done,  // the handshake completed: alpn(), version(), ... are known now
  data,            // `size` bytes of plaintext are at the start of the plaintext buffer
  closed,          // the peer sent close_notify: no more data will come (the rest of
                   // the input is consumed and ignored)
  failed,          // see failure(); send output() (it may hold an alert), then close
};

struct event {
  event_kind kind = event_kind::need_more;
  std::size_t consumed = 0;  // ciphertext bytes used by this call
  std::size_t size = 0;      // plaintext bytes, for data
};

enum class session_state : std::uint8_t { handshaking, open, failed };

class session {
 public:
  virtual ~session() = default;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Reading. `plaintext` must not be empty; 16 KiB (one full record) is the
  // size that never needs a second call for one record.
  virtual event feed(std::string_view ciphertext, std::span<char> plaintext) = 0;
  // The transport saw end of input (EOF). Returns why the session ended:
  // error::peer_closed when close_notify came first, else tls_error::truncated
  // (or handshake_failed, during the handshake); the session is failed then.
  virtual close_reason end_of_input() = 0;

  // Writing. Encrypts all of `plaintext` into output() and returns its size,
  // or returns 0 when the session is not open or close() was called.
  virtual std::size_t write(std::string_view plaintext) = 0;
  // Ciphertext waiting to be sent: handshake messages, records, alerts,
  // close_notify. Valid until the next call on the session.
  virtual std::string_view output() const noexcept = 0;
  virtual void consume_output(std::size_t n) noexcept = 0;
  // All of output() as a string, moved out (for a write queue that adopts
  // strings without a copy); output() is empty afterwards.
  virtual std::string take_output() = 0;
  bool want_write() const noexcept { return !output().empty(); }

  // Sends close_notify (after the handshake; before it, only stops writes).
  // Reading goes on until the peer's close_notify (event closed).
  virtual void close() = 0;
  virtual bool close_sent() const noexcept = 0;
  virtual bool close_received() const noexcept = 0;

  virtual session_state state() const noexcept = 0;
  // Why the session failed; meaningful when state() == failed. The code is a
  // tls_error, detail the backend's reason or the X.509 text, and
  // protocol_code the TLS alert number when an alert was sent or received.
  virtual const close_reason& failure() const noexcept = 0;

  // What the handshake gave (after handshake_done). The views stay valid as
  // long as the session.
  virtual bool is_server() const noexcept = 0;
  virtual std::string_view alpn() const noexcept = 0;         // "" when none
  virtual std::string_view server_name() const noexcept = 0;  // SNI received / sent
  virtual std::string_view version() const noexcept = 0;      // "TLSv1.3"
  virtual std::string_view cipher() const noexcept = 0;       // "TLS_AES_128_GCM_SHA256"
  virtual bool resumed() const noexcept = 0;
  // The peer's certificate (mTLS client on a server; the server on a client).
  virtual tls_peer_identity peer_identity() const = 0;
  // Server: the sni_selector entry the handshake chose (0 = the default).
  virtual std::size_t selected_entry() const noexcept = 0;

 protected:
  session() = default;
};

}  // namespace lwspp::tls
