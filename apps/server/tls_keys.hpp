// The keys of a vhost's "tls" object (and "server_names"): certificates,
// versions, ciphers, ALPN, client certificates, SNI and plaintext-HTTP
// policy. They write straight into lwspp::tls_server_options and
// lwspp::vhost_options.
#pragma once

#include "config_keys.hpp"
#include "config_schema.hpp"

namespace lwspp_server {

void register_tls_keys(config_schema& schema);

}  // namespace lwspp_server
