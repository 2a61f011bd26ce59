// Environment overrides for container and demo use: a vhost with
// "port_env": "PORT" listens on $PORT instead of the port in its "listen".
// TLS_PORT is reserved for the TLS vhost that comes with TLS support.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config_schema.hpp"

namespace lwspp_server {

// Looks up an environment variable (::getenv in the program, a map in tests).
using env_lookup = std::function<const char*(const char* name)>;

void register_env_keys(config_schema& schema);

// For each variable named by a "port_env", replaces the port of the first
// vhost naming it when the variable is set. Bad values are reported to diag.
// Returns notes for the log (what was overridden, what was ignored).
std::vector<std::string> apply_env_overrides(server_settings& s, diagnostics& diag,
                                             const env_lookup& env);

}  // namespace lwspp_server
