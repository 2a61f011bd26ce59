// The config lwspp-server runs when no -c FILE is given: the demo site over
// HTTP/1.1 on 127.0.0.1:7681 (or on $PORT). Errors in it are reported as
// <default>:LINE.
#pragma once

#include <string_view>

namespace lwspp_server {

inline constexpr std::string_view default_config = R"json({
  "log_level": "notice",
  "loops": 1,
  "drain_timeout_ms": 5000,
  "vhosts": [
    {
      "name": "demo",
      "listen": "127.0.0.1:7681",
      "port_env": "PORT",
      "protocol": "http",
      "demo": true,
      "max_connections": 0,
      "max_connections_per_ip": 0,
      "idle_timeout_ms": 0
    }
  ]
}
)json";

}  // namespace lwspp_server
