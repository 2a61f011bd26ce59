// The OpenSSL session (see session_impl.hpp and tls/session.hpp).
#include "tls/openssl/session_impl.hpp"

#include "util/fault.hpp"

namespace lwspp::tls::ossl {
namespace {

// Output capacity kept after a drain; a burst above it gives its memory back.
constexpr std::size_t kept_output_capacity = 64 * 1024;

// SSL_get_error() reads the thread's error queue, so it must be empty before
// each SSL call whose result goes to it. ERR_clear_error() wipes all 16 slots
// of the queue every time (about 800 instructions, a tenth of an https
// keep-alive request when called three times each); ERR_peek_error() only
// compares two indexes. The queue is nearly always empty already.
void clear_errors() noexcept {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// Forgets the caller's bytes when feed() returns: the BIO never keeps a
// pointer into a buffer the session does not own.
struct input_scope {
  bio_buffers& io;
  ~input_scope() { io.in = {}; }
};

}  // namespace

std::unique_ptr<session_impl> session_impl::make(ssl_ptr ssl, bool server) {
  if (!ssl) return nullptr;
  std::unique_ptr<session_impl> s(new session_impl(std::move(ssl), server));
  BIO* bio = new_memory_bio(&s->io_);
  if (!bio) return nullptr;
  SSL_set_bio(s->ssl(), bio, bio);  // one reference, used for both directions
  SSL_set_app_data(s->ssl(), s.get());
  SSL_set_info_callback(s->ssl(), &session_impl::on_info);
  if (server) {
    SSL_set_accept_state(s->ssl());
  } else {
    SSL_set_connect_state(s->ssl());
  }
  return s;
}

void session_impl::on_info(const SSL* ssl, int where, int ret) {
  // ret is (alert level << 8) | alert description.
  if ((where & SSL_CB_WRITE_ALERT) && (ret >> 8) == SSL3_AL_FATAL) {
    if (session_impl* s = of(ssl)) s->sent_alert_ = ret & 0xff;
  }
}

bool session_impl::start_client() {
  clear_errors();
  const int rc = SSL_do_handshake(ssl());
  const int e = SSL_get_error(ssl(), rc);
  if (e == SSL_ERROR_WANT_READ) return true;
  fail(e);
  return false;
}

bool session_impl::injected_failure() {
  if (!fault::hit(fault::site::tls)) return false;
  failure_ = close_reason(tls_error::bad_record, "injected fault");
  state_ = session_state::failed;
  return true;
}

void session_impl::fail(int e) {
  failure_ = classify_failure(ssl(), e, state_ == session_state::handshaking, sent_alert_);
  state_ = session_state::failed;
}

event session_impl::feed(std::string_view in, std::span<char> plaintext) {
  if (state_ == session_state::failed) return {event_kind::failed, 0, 0};
  if (close_received_) return {event_kind::closed, in.size(), 0};
  // The call that ends each read (the caller feeds the rest, now empty, until
  // need_more): with no input and nothing buffered in the SSL, SSL_read could
  // only say "want read". Answer that without the ~2,000 instructions it costs.
  if (state_ == session_state::open && in.empty() && SSL_has_pending(ssl()) == 0)
    return {event_kind::need_more, 0, 0};
  if (injected_failure()) return {event_kind::failed, 0, 0};
  io_.in = in;
  input_scope scope{io_};
  const auto used = [&] { return in.size() - io_.in.size(); };
  clear_errors();

  if (state_ == session_state::handshaking) {
    const int rc = SSL_do_handshake(ssl());
    if (rc == 1) {
      state_ = session_state::open;
      return {event_kind::handshake_done, used(), 0};
    }
    const int e = SSL_get_error(ssl(), rc);
    // OpenSSL asks for more only once the BIO is empty: all input is used.
    if (e == SSL_ERROR_WANT_READ) return {event_kind::need_more, used(), 0};
    fail(e);
    return {event_kind::failed, used(), 0};
  }

  if (plaintext.empty()) return {event_kind::need_more, 0, 0};
  std::size_t n = 0;
  const int rc = SSL_read_ex(ssl(), plaintext.data(), plaintext.size(), &n);
  if (rc == 1) return {event_kind::data, used(), n};
  const int e = SSL_get_error(ssl(), rc);
  if (e == SSL_ERROR_WANT_READ) return {event_kind::need_more, used(), 0};
  if (e == SSL_ERROR_ZERO_RETURN) {
    close_received_ = true;
    return {event_kind::closed, in.size(), 0};
  }
  fail(e);
  return {event_kind::failed, used(), 0};
}

close_reason session_impl::end_of_input() {
  if (close_received_) return close_reason(error::peer_closed);
  if (state_ == session_state::failed) return failure_;
  failure_ = state_ == session_state::handshaking
                 ? close_reason(tls_error::handshake_failed,
                                "the peer closed the connection during the handshake")
                 : close_reason(tls_error::truncated,
                                "the peer closed the connection without close_notify");
  state_ = session_state::failed;
  io_.eof = true;
  return failure_;
}

std::size_t session_impl::write(std::string_view plaintext) {
  if (state_ != session_state::open || close_sent_ || plaintext.empty()) return 0;
  if (injected_failure()) return 0;
  clear_errors();
  std::size_t n = 0;
  const int rc = SSL_write_ex(ssl(), plaintext.data(), plaintext.size(), &n);
  if (rc == 1) return n;
  fail(SSL_get_error(ssl(), rc));
  return 0;
}

void session_impl::consume_output(std::size_t n) noexcept {
  io_.out_offset += n < output().size() ? n : output().size();
  if (io_.out_offset == io_.out.size()) {
    io_.out_offset = 0;
    if (io_.out.capacity() > kept_output_capacity) {
      std::string().swap(io_.out);
    } else {
      io_.out.clear();
    }
  }
}

std::string session_impl::take_output() {
  if (io_.out_offset) io_.out.erase(0, io_.out_offset);
  io_.out_offset = 0;
  std::string out = std::move(io_.out);
  io_.out = std::string();
  return out;
}

void session_impl::close() {
  if (close_sent_) return;
  close_sent_ = true;
  if (state_ != session_state::open) return;
  ERR_clear_error();
  SSL_shutdown(ssl());  // queues close_notify; the peer's comes through feed()
  ERR_clear_error();
}

std::string_view session_impl::alpn() const noexcept {
  const unsigned char* p = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl(), &p, &len);
  return p ? std::string_view(reinterpret_cast<const char*>(p), len) : std::string_view();
}

std::string_view session_impl::server_name() const noexcept {
  const char* name = SSL_get_servername(ssl(), TLSEXT_NAMETYPE_host_name);
  return name ? std::string_view(name) : std::string_view();
}

std::string_view session_impl::version() const noexcept {
  return state_ == session_state::handshaking ? std::string_view() : SSL_get_version(ssl());
}

std::string_view session_impl::cipher() const noexcept {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl());
  return c ? std::string_view(SSL_CIPHER_get_name(c)) : std::string_view();
}

bool session_impl::resumed() const noexcept {
  return SSL_session_reused(ssl()) == 1;
}

tls_peer_identity session_impl::peer_identity() const {
  X509* cert = SSL_get0_peer_certificate(ssl());
  if (!cert) return {};
  return identity_of(cert, verify_ && SSL_get_verify_result(ssl()) == X509_V_OK);
}

}  // namespace lwspp::tls::ossl
