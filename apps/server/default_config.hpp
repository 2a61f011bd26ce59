// The config lwspp-server runs when no -c FILE is given: the demo site over
// HTTP/1.1 (and h2c) on 127.0.0.1:7681 (or on $PORT), and over HTTPS (HTTP/2
// by ALPN, or HTTP/1.1) on 127.0.0.1:7682 (or on $TLS_PORT) with a
// self-signed certificate made on first run in the current directory. Errors in it are reported as
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
    },
    {
      "name": "demo-tls",
      "listen": "127.0.0.1:7682",
      "port_env": "TLS_PORT",
      "protocol": "http",
      "demo": true,
      "tls": {
        "cert": "lwspp-demo-cert.pem",
        "key": "lwspp-demo-key.pem",
        "self_signed": true,
        "alpn": ["h2", "http/1.1"]
      }
    }
  ]
}
)json";

}  // namespace lwspp_server
