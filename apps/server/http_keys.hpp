// The keys of "protocol": "http" vhosts: request limits, timeouts, response
// headers, error pages, the access log, the demo site, and "mounts" (static
// files and redirects, each with its own keys). They write straight into
// lwspp::http::server_options and lwspp::http::static_options.
#pragma once

#include "config_schema.hpp"

namespace lwspp_server {

void register_http_keys(config_schema& schema);

// Mount and auth keys, and the checks across a vhost's mounts (mount_keys.cpp).
void register_mount_keys(config_schema& schema);

}  // namespace lwspp_server
