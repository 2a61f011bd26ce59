// The keys of the server core: logging, loops, shutdown, and the vhost
// basics (name, listen address, connection caps, timeouts).
#pragma once

#include <cstdint>
#include <string>

#include "config_schema.hpp"

namespace lwspp_server {

// Timeouts in the config are milliseconds up to a day: anything longer is a typo.
inline constexpr std::int64_t max_timeout_ms = 24LL * 3600 * 1000;

void register_core_keys(config_schema& schema);

// "" if text is something a vhost can listen on: an address literal, a Unix
// socket, or host:port (resolved at start-up); otherwise what is wrong.
std::string check_listen_address(const std::string& text);

}  // namespace lwspp_server
