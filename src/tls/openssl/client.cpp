// The OpenSSL client context: trust anchors, hostname checks, ALPN, client
// certificate, and a small cache of sessions per server name for resumption.
#include <openssl/x509v3.h>

#include <mutex>
#include <unordered_map>

#include "tls/alpn.hpp"
#include "tls/context.hpp"
#include "tls/names.hpp"
#include "tls/openssl/pem.hpp"
#include "tls/openssl/protocol.hpp"
#include "tls/openssl/session_impl.hpp"

namespace lwspp::tls::ossl {
namespace {

// At most this many server names keep a session; past it one is dropped.
constexpr std::size_t session_cache_limit = 256;

class session_cache {
 public:
  void put(const std::string& name, SSL_SESSION* s) {
    std::lock_guard lock(mu_);
    if (sessions_.size() >= session_cache_limit && !sessions_.contains(name)) {
      sessions_.erase(sessions_.begin());
    }
    sessions_[name] = session_ptr(s);
  }
  session_ptr get(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(name);
    if (it == sessions_.end()) return nullptr;
    SSL_SESSION_up_ref(it->second.get());
    return session_ptr(it->second.get());
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, session_ptr> sessions_;
};

// Where a new session ticket goes: kept alive by the session that may get one.
struct cache_link {
  std::shared_ptr<session_cache> cache;
  std::string name;
};

int link_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Called by OpenSSL for every session (TLS 1.3: every ticket) the server
// gives; returning 1 keeps the reference.
int on_new_session(SSL* ssl, SSL_SESSION* s) {
  auto* link = static_cast<cache_link*>(SSL_get_ex_data(ssl, link_index()));
  if (!link || SSL_SESSION_is_resumable(s) != 1) return 0;
  try {
    link->cache->put(link->name, s);
  } catch (...) {
    return 0;  // no exception may cross OpenSSL's C frames
  }
  return 1;
}

class client_impl final : public client_context {
 public:
  result<void> init(const tls_client_options& o, const logger& log);
  result<std::unique_ptr<session>> new_session(std::string_view server_name) override;

 private:
  result<void> set_trust(const tls_client_options& o, const logger& log);

  ssl_ctx_ptr ctx_;
  std::shared_ptr<session_cache> cache_;
  std::string server_name_;
  bool verify_ = true;
};

result<void> client_impl::set_trust(const tls_client_options& o, const logger& log) {
  if (o.insecure_skip_verify) {
    verify_ = false;
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
    LWSPP_LOG(log, warn,
              "TLS client with insecure_skip_verify: server certificates are NOT checked; "
              "any server can impersonate any other (for tests only)");
    return {};
  }
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  if (!o.ca_file.empty() || !o.ca_pem.empty())
    return use_trust(ctx_.get(), o.ca_file, o.ca_pem, false);
  ERR_clear_error();
  if (SSL_CTX_set_default_verify_paths(ctx_.get()) != 1) {
    return error_info(make_error_code(tls_error::certificate_load),
                      "system trust store: " + drain_errors());
  }
  return {};
}

result<void> client_impl::init(const tls_client_options& o, const logger& log) {
  auto made = new_ctx(TLS_client_method());
  if (!made) return made.error();
  ctx_ = std::move(*made);
  server_name_ = o.server_name;
  const protocol_settings p{o.min_version, o.max_version, o.ciphers, o.ciphersuites, o.groups};
  if (auto r = apply_protocol(ctx_.get(), p); !r) return r;
  if (auto r = set_trust(o, log); !r) return r;
  auto wire = alpn_wire(o.alpn);
  if (!wire) return wire.error();
  // SSL_CTX_set_alpn_protos returns 0 on success.
  if (!wire->empty() &&
      SSL_CTX_set_alpn_protos(ctx_.get(), reinterpret_cast<const unsigned char*>(wire->data()),
                              static_cast<unsigned int>(wire->size())) != 0) {
    return error_info(make_error_code(tls_error::invalid_option), "ALPN: " + drain_errors());
  }
  const tls_certificate& c = o.certificate;
  if (!c.cert_file.empty() || !c.cert_pem.empty() || !c.key_file.empty() || !c.key_pem.empty()) {
    if (auto r = use_certificates(ctx_.get(), {c}); !r) return r;
  }
  if (o.session_resumption) {
    cache_ = std::make_shared<session_cache>();
    SSL_CTX_set_session_cache_mode(ctx_.get(),
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx_.get(), on_new_session);
  } else {
    SSL_CTX_set_session_cache_mode(ctx_.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_TICKET);
  }
  ERR_clear_error();
  return {};
}

result<std::unique_ptr<session>> client_impl::new_session(std::string_view server_name) {
  const std::string host(server_name.empty() ? std::string_view(server_name_) : server_name);
  std::string ip;
  const bool is_ip = is_ip_literal(host, &ip);
  const std::string dns = is_ip ? std::string() : normalize_host(host);
  if (!host.empty() && !is_ip && dns.empty()) {
    return error_info(make_error_code(tls_error::invalid_option),
                      "bad server name \"" + host + "\"");
  }
  if (verify_ && host.empty()) {
    return error_info(make_error_code(tls_error::invalid_option),
                      "no server name to verify the certificate against (set server_name)");
  }
  ERR_clear_error();
  ssl_ptr ssl(SSL_new(ctx_.get()));
  if (!ssl) return error_info(error::invalid_argument, "SSL_new: " + drain_errors());
  // RFC 6066 §3: SNI carries DNS names only, never IP literals.
  bool ok = dns.empty() || SSL_set_tlsext_host_name(ssl.get(), dns.c_str()) == 1;
  if (verify_ && is_ip) {
    ok = ok && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), ip.c_str()) == 1;
  } else if (verify_) {
    SSL_set_hostflags(ssl.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = ok && SSL_set1_host(ssl.get(), dns.c_str()) == 1;
  }
  if (!ok) return error_info(make_error_code(tls_error::invalid_option), drain_errors());
  std::shared_ptr<cache_link> link;
  if (cache_) {
    const std::string key = is_ip ? ip : dns;
    if (session_ptr saved = cache_->get(key)) SSL_set_session(ssl.get(), saved.get());
    link = std::make_shared<cache_link>(cache_link{cache_, key});
    SSL_set_ex_data(ssl.get(), link_index(), link.get());
  }
  auto s = session_impl::make(std::move(ssl), false);
  if (!s) return error_info(error::invalid_argument, "out of memory");
  s->set_verify(verify_);
  s->keep_alive(std::move(link));
  if (!s->start_client()) return error_info(s->failure());
  return std::unique_ptr<session>(std::move(s));
}

}  // namespace
}  // namespace lwspp::tls::ossl

namespace lwspp::tls {

result<std::shared_ptr<client_context>> client_context::create(const tls_client_options& options,
                                                               const logger* log) {
  static const logger default_log;
  auto c = std::make_shared<ossl::client_impl>();
  if (auto r = c->init(options, log ? *log : default_log); !r) return r.error();
  return std::shared_ptr<client_context>(std::move(c));
}

}  // namespace lwspp::tls
