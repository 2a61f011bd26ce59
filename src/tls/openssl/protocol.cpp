// Versions, ciphers and groups for contexts and sessions (see protocol.hpp).
#include "tls/openssl/protocol.hpp"

namespace lwspp::tls::ossl {
namespace {

int wire_version(tls_version v) {
  return v == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

error_info refused(const std::string& what, const std::string& value) {
  return error_info(make_error_code(tls_error::invalid_option),
                    what + " \"" + value + "\": " + drain_errors("not accepted"));
}

// The same steps for an SSL_CTX and an SSL: OpenSSL has a function of each
// name for both.
template <class Obj, class Ops>
result<void> apply(Obj* obj, const protocol_settings& s, Ops ops) {
  if (s.min_version > s.max_version) {
    return error_info(make_error_code(tls_error::invalid_option),
                      "min_version is above max_version");
  }
  ERR_clear_error();
  if (!ops.min(obj, wire_version(s.min_version)) || !ops.max(obj, wire_version(s.max_version))) {
    return refused("protocol version", "");
  }
  if (!s.ciphers.empty() && !ops.ciphers(obj, s.ciphers.c_str())) {
    return refused("ciphers", s.ciphers);
  }
  if (!s.ciphersuites.empty() && !ops.suites(obj, s.ciphersuites.c_str())) {
    return refused("ciphersuites", s.ciphersuites);
  }
  if (!s.groups.empty() && !ops.groups(obj, s.groups.c_str())) {
    return refused("groups", s.groups);
  }
  return {};
}

struct ctx_ops {
  static int min(SSL_CTX* c, int v) { return SSL_CTX_set_min_proto_version(c, v); }
  static int max(SSL_CTX* c, int v) { return SSL_CTX_set_max_proto_version(c, v); }
  static int ciphers(SSL_CTX* c, const char* s) { return SSL_CTX_set_cipher_list(c, s); }
  static int suites(SSL_CTX* c, const char* s) { return SSL_CTX_set_ciphersuites(c, s); }
  static int groups(SSL_CTX* c, const char* s) { return SSL_CTX_set1_groups_list(c, s); }
};

struct ssl_ops {
  static int min(SSL* c, int v) { return SSL_set_min_proto_version(c, v); }
  static int max(SSL* c, int v) { return SSL_set_max_proto_version(c, v); }
  static int ciphers(SSL* c, const char* s) { return SSL_set_cipher_list(c, s); }
  static int suites(SSL* c, const char* s) { return SSL_set_ciphersuites(c, s); }
  static int groups(SSL* c, const char* s) { return SSL_set1_groups_list(c, s); }
};

}  // namespace

result<ssl_ctx_ptr> new_ctx(const SSL_METHOD* method) {
  ERR_clear_error();
  ssl_ctx_ptr ctx(SSL_CTX_new(method));
  if (!ctx) return error_info(error::invalid_argument, "SSL_CTX_new: " + drain_errors());
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // An idle connection then holds no record buffers (about 34 KiB each).
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

result<void> apply_protocol(SSL_CTX* ctx, const protocol_settings& s) {
  return apply(ctx, s, ctx_ops{});
}

result<void> apply_protocol(SSL* ssl, const protocol_settings& s) {
  return apply(ssl, s, ssl_ops{});
}

}  // namespace lwspp::tls::ossl
