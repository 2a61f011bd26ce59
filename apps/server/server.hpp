// Runs the vhosts of a checked config until SIGTERM or SIGINT.
#pragma once

#include <string>
#include <vector>

#include "settings.hpp"

namespace lwspp_server {

// Returns the process exit code: 0 after a clean stop, 1 when a vhost
// cannot listen (address in use, permission denied, ...).
int run_server(const server_settings& settings, const std::vector<std::string>& notes);

}  // namespace lwspp_server
