// What a config file sets: the library's own option structs plus the few
// things only the server knows (which protocol a vhost speaks, which
// environment variable may move its port).
//
// Config keys write straight into lwspp::context_options and
// lwspp::vhost_options, so the config stays a thin layer over the public API.
#pragma once

#include <string>
#include <vector>

#include "lwspp/context.hpp"

namespace lwspp_server {

struct vhost_settings {
  lwspp::vhost_options options;
  std::string protocol = "raw-echo";
  std::string port_env;  // e.g. "PORT": its value, when set, replaces the port of listen
  std::string pointer;   // JSON pointer of this vhost in the config ("/vhosts/0"), for errors
};

struct server_settings {
  lwspp::context_options context;
  std::vector<vhost_settings> vhosts;
};

}  // namespace lwspp_server
