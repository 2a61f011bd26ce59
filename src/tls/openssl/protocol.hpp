// The settings servers and clients share: protocol versions, ciphers,
// groups, and the SSL_CTX flags every context of lwspp gets.
#pragma once

#include <string>

#include "lwspp/result.hpp"
#include "lwspp/tls.hpp"
#include "tls/openssl/handles.hpp"

namespace lwspp::tls::ossl {

struct protocol_settings {
  tls_version min_version;
  tls_version max_version;
  const std::string& ciphers;
  const std::string& ciphersuites;
  const std::string& groups;
};

// A new SSL_CTX for `method` with lwspp's fixed choices: no renegotiation,
// small idle memory (buffers released between records), no compression.
result<ssl_ctx_ptr> new_ctx(const SSL_METHOD* method);

result<void> apply_protocol(SSL_CTX* ctx, const protocol_settings& s);

// The same settings on one SSL (when SNI moved it to another vhost's context).
result<void> apply_protocol(SSL* ssl, const protocol_settings& s);

}  // namespace lwspp::tls::ossl
