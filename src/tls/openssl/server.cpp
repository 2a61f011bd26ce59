// The OpenSSL server context: one SSL_CTX per vhost and generation,
// swapped whole by reload(), and the callbacks that pick the vhost by SNI
// and the ALPN protocol.
//
// Why the client-hello callback (and not the servername callback): it runs
// before OpenSSL looks at versions, ciphers and resumption, so after the
// switch every setting of the chosen vhost applies, including its session id
// context (a session from one vhost never resumes on another).
#include <openssl/rand.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "tls/alpn.hpp"
#include "tls/context.hpp"
#include "tls/openssl/pem.hpp"
#include "tls/openssl/protocol.hpp"
#include "tls/openssl/session_impl.hpp"
#include "tls/sni_extension.hpp"

namespace lwspp::tls::ossl {
namespace {

constexpr std::size_t ticket_keys_size = 80;  // name 16 + HMAC 32 + AES 32 (OpenSSL 3)

// What the callbacks need of a vhost, attached to each of its SSL_CTXs and
// freed with it (sessions keep their SSL_CTX, so this outlives reloads).
struct ctx_extra {
  std::string alpn_wire;
  std::string ciphers, ciphersuites, groups;
  tls_version min_version;
  tls_version max_version;
  tls_unknown_name unknown_name;
  protocol_settings protocol() const {
    return {min_version, max_version, ciphers, ciphersuites, groups};
  }
};

void free_extra(void*, void* p, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<ctx_extra*>(p);
}

int extra_index() {
  static const int index =
      CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr, free_extra);
  return index;
}

const ctx_extra* extra_of(const SSL_CTX* ctx) {
  return static_cast<const ctx_extra*>(SSL_CTX_get_ex_data(ctx, extra_index()));
}

int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
            unsigned int inlen, void*) {
  const ctx_extra* x = extra_of(SSL_get_SSL_CTX(ssl));
  if (!x || x->alpn_wire.empty()) return SSL_TLSEXT_ERR_NOACK;
  const std::string_view chosen =
      alpn_choose(x->alpn_wire, std::string_view(reinterpret_cast<const char*>(in), inlen));
  // RFC 7301 §3.2: no protocol in common is a no_application_protocol alert.
  if (chosen.empty()) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = reinterpret_cast<const unsigned char*>(chosen.data());
  *outlen = static_cast<unsigned char>(chosen.size());
  return SSL_TLSEXT_ERR_OK;
}

class server_impl;
int on_client_hello(SSL* ssl, int* alert, void*);

class server_impl final : public server_context {
 public:
  server_impl() {
    // Only needs to differ between vhosts; the address does if RAND fails.
    if (RAND_bytes(sid_ctx_, sizeof sid_ctx_) != 1) {
      const void* self = this;
      std::memset(sid_ctx_, 0, sizeof sid_ctx_);
      std::memcpy(sid_ctx_, &self, sizeof self);
    }
  }

  result<void> load(const tls_server_options& o) {
    std::lock_guard reload_lock(reload_mu_);
    auto built = build(o);
    if (!built) return built.error();
    std::lock_guard lock(mu_);
    ctx_ = std::move(*built);
    options_ = o;
    return {};
  }

  result<void> reload() override {
    tls_server_options o;
    {
      std::lock_guard lock(mu_);
      o = options_;
    }
    return reload(o);
  }

  result<void> reload(const tls_server_options& o) override {
    auto r = load(o);
    if (r) generation_.fetch_add(1, std::memory_order_relaxed);
    return r;
  }

  std::size_t generation() const noexcept override {
    return generation_.load(std::memory_order_relaxed);
  }

  // The SSL_CTX new sessions use now, with a reference of the caller's own.
  ssl_ctx_ptr current() const {
    std::lock_guard lock(mu_);
    SSL_CTX_up_ref(ctx_.get());
    return ssl_ctx_ptr(ctx_.get());
  }

 private:
  std::unique_ptr<session> new_session(std::shared_ptr<const sni_selector> selector) override {
    const ssl_ctx_ptr ctx = current();
    auto s = session_impl::make(ssl_ptr(SSL_new(ctx.get())), true);
    if (s) s->set_selector(std::move(selector));
    return s;
  }

  result<ssl_ctx_ptr> build(const tls_server_options& o);
  result<void> set_client_auth(SSL_CTX* ctx, const tls_server_options& o);

  mutable std::mutex mu_;  // guards ctx_ and options_
  ssl_ctx_ptr ctx_;
  tls_server_options options_;
  std::mutex reload_mu_;  // one build at a time (the ticket keys pass from one to the next)
  std::atomic<std::size_t> generation_{0};
  unsigned char sid_ctx_[SSL_MAX_SID_CTX_LENGTH];  // per vhost, kept across reloads
};

result<void> server_impl::set_client_auth(SSL_CTX* ctx, const tls_server_options& o) {
  if (o.client_auth == tls_client_auth::none) return {};
  if (o.client_ca_file.empty() && o.client_ca_pem.empty()) {
    return error_info(make_error_code(tls_error::invalid_option),
                      "client_auth needs client_ca_file or client_ca_pem");
  }
  if (auto r = use_trust(ctx, o.client_ca_file, o.client_ca_pem, true); !r) return r;
  int mode = SSL_VERIFY_PEER;
  if (o.client_auth == tls_client_auth::required) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  return {};
}

result<ssl_ctx_ptr> server_impl::build(const tls_server_options& o) {
  auto made = new_ctx(TLS_server_method());
  if (!made) return made.error();
  ssl_ctx_ptr ctx = std::move(*made);
  auto x = std::make_unique<ctx_extra>(ctx_extra{
      {}, o.ciphers, o.ciphersuites, o.groups, o.min_version, o.max_version, o.unknown_name});
  if (auto r = apply_protocol(ctx.get(), x->protocol()); !r) return r.error();
  if (auto r = use_certificates(ctx.get(), o.certificates); !r) return r.error();
  if (auto r = set_client_auth(ctx.get(), o); !r) return r.error();
  auto wire = alpn_wire(o.alpn);
  if (!wire) return wire.error();
  x->alpn_wire = std::move(*wire);
  if (!x->alpn_wire.empty()) SSL_CTX_set_alpn_select_cb(ctx.get(), on_alpn, nullptr);

  SSL_CTX_set_session_id_context(ctx.get(), sid_ctx_, sizeof sid_ctx_);
  // Resumption is by stateless tickets only: no per-process session cache
  // to lock across loops or to lose on restart.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  if (!o.session_tickets) {
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx.get(), 0);
  } else if (ctx_) {
    // Tickets issued before a reload stay valid after it.
    unsigned char keys[ticket_keys_size];
    if (SSL_CTX_get_tlsext_ticket_keys(ctx_.get(), keys, sizeof keys) == 1) {
      SSL_CTX_set_tlsext_ticket_keys(ctx.get(), keys, sizeof keys);
    }
    OPENSSL_cleanse(keys, sizeof keys);
  }
  SSL_CTX_set_client_hello_cb(ctx.get(), on_client_hello, nullptr);
  if (SSL_CTX_set_ex_data(ctx.get(), extra_index(), x.get()) != 1) {
    return error_info(make_error_code(tls_error::invalid_option), drain_errors("out of memory"));
  }
  x.release();  // owned by the SSL_CTX now (free_extra)
  ERR_clear_error();
  return ctx;
}

// Moves the session to the vhost its SNI names, with all of that vhost's
// settings; refuses an unknown name when the default vhost says so.
int on_client_hello(SSL* ssl, int* alert, void*) {
  session_impl* s = session_impl::of(ssl);
  if (!s || !s->selector()) return SSL_CLIENT_HELLO_SUCCESS;
  const unsigned char* ext = nullptr;
  std::size_t ext_len = 0;
  std::string_view name;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &ext_len) == 1) {
    if (!parse_sni_extension(ext, ext_len, name)) {
      *alert = SSL_AD_DECODE_ERROR;
      return SSL_CLIENT_HELLO_ERROR;
    }
  }
  if (name.empty()) return SSL_CLIENT_HELLO_SUCCESS;  // no SNI: the default vhost
  const sni_selector& selector = *s->selector();
  const sni_entry* entry = selector.find(name);
  if (!entry) {
    const ctx_extra* x = extra_of(SSL_get_SSL_CTX(ssl));
    if (x && x->unknown_name == tls_unknown_name::reject) {
      *alert = SSL_AD_UNRECOGNIZED_NAME;
      return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
  }
  const std::size_t index = selector.index_of(entry);
  if (index == s->selected_entry()) return SSL_CLIENT_HELLO_SUCCESS;
  const ssl_ctx_ptr ctx = static_cast<server_impl&>(*entry->context).current();
  const ctx_extra* x = extra_of(ctx.get());
  if (!x || SSL_set_SSL_CTX(ssl, ctx.get()) != ctx.get() || !apply_protocol(ssl, x->protocol())) {
    ERR_clear_error();
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  // SSL_set_SSL_CTX moves the certificates; the rest is per SSL, copied
  // from the first context when the session was made.
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx.get()), nullptr);
  SSL_clear_options(ssl, SSL_OP_NO_TICKET);
  SSL_set_options(ssl, SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_TICKET);
  SSL_set_num_tickets(ssl, SSL_CTX_get_num_tickets(ctx.get()));
  s->set_selected(index);
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace
}  // namespace lwspp::tls::ossl

namespace lwspp::tls {

result<std::shared_ptr<server_context>> server_context::create(const tls_server_options& options) {
  auto s = std::make_shared<ossl::server_impl>();
  if (auto r = s->load(options); !r) return r.error();
  return std::shared_ptr<server_context>(std::move(s));
}

}  // namespace lwspp::tls
