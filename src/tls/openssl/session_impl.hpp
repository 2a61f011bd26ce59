// The OpenSSL session: an SSL over a memory_bio, driven by feed()/write().
// Contexts make it (server.cpp, client.cpp); the client-hello callback of a
// server context reaches it through SSL app data to learn its sni_selector.
#pragma once

#include <memory>
#include <string>

#include "tls/context.hpp"
#include "tls/openssl/handles.hpp"
#include "tls/openssl/memory_bio.hpp"
#include "tls/session.hpp"

namespace lwspp::tls::ossl {

class session_impl final : public tls::session {
 public:
  // Wires `ssl` to a fresh memory BIO; nullptr when out of memory.
  static std::unique_ptr<session_impl> make(ssl_ptr ssl, bool server);
  // The SSL (and its BIO, which points at io_) goes first.
  ~session_impl() override { ssl_.reset(); }
  static session_impl* of(const SSL* ssl) noexcept {
    return static_cast<session_impl*>(SSL_get_app_data(ssl));
  }

  SSL* ssl() const noexcept { return ssl_.get(); }
  // Server side: the vhosts this session may switch to, and the one chosen.
  void set_selector(std::shared_ptr<const sni_selector> s) noexcept { selector_ = std::move(s); }
  const sni_selector* selector() const noexcept { return selector_.get(); }
  void set_selected(std::size_t index) noexcept { selected_ = index; }
  // Client side: whether the peer's certificate is checked, and what must
  // live as long as the session (the context's session cache).
  void set_verify(bool on) noexcept { verify_ = on; }
  void keep_alive(std::shared_ptr<void> p) noexcept { keep_alive_ = std::move(p); }
  // Client side: runs the handshake until it waits for the server, so that
  // the ClientHello is in output(). False (and failed) on error.
  bool start_client();

  event feed(std::string_view ciphertext, std::span<char> plaintext) override;
  close_reason end_of_input() override;
  std::size_t write(std::string_view plaintext) override;
  std::string_view output() const noexcept override {
    return std::string_view(io_.out).substr(io_.out_offset);
  }
  void consume_output(std::size_t n) noexcept override;
  std::string take_output() override;
  void close() override;
  bool close_sent() const noexcept override { return close_sent_; }
  bool close_received() const noexcept override { return close_received_; }
  session_state state() const noexcept override { return state_; }
  const close_reason& failure() const noexcept override { return failure_; }

  bool is_server() const noexcept override { return server_; }
  std::string_view alpn() const noexcept override;
  std::string_view server_name() const noexcept override;
  std::string_view version() const noexcept override;
  std::string_view cipher() const noexcept override;
  bool resumed() const noexcept override;
  tls_peer_identity peer_identity() const override;
  std::size_t selected_entry() const noexcept override { return selected_; }

 private:
  session_impl(ssl_ptr ssl, bool server) : ssl_(std::move(ssl)), server_(server) {}
  static void on_info(const SSL* ssl, int where, int ret);
  // Records why the last OpenSSL call failed (SSL_get_error code `e`).
  void fail(int e);
  bool injected_failure();  // util/fault.hpp: this step fails as a bad record

  ssl_ptr ssl_;
  bio_buffers io_;
  std::shared_ptr<const sni_selector> selector_;
  std::shared_ptr<void> keep_alive_;
  close_reason failure_;
  std::size_t selected_ = 0;
  int sent_alert_ = 0;  // the last fatal alert we sent, 0 if none
  session_state state_ = session_state::handshaking;
  bool server_;
  bool verify_ = true;
  bool close_sent_ = false;
  bool close_received_ = false;
};

// Why an OpenSSL call failed, as a close_reason (see session.hpp::failure).
close_reason classify_failure(SSL* ssl, int ssl_error, bool handshaking, int sent_alert);

// The identity in a certificate.
tls_peer_identity identity_of(X509* cert, bool verified);

}  // namespace lwspp::tls::ossl
