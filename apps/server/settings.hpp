// What a config file sets: the library's own option structs plus the few
// things only the server knows (which protocol a vhost speaks, which
// environment variable may move its port, whether it serves the demo).
//
// Config keys write straight into lwspp::context_options,
// lwspp::vhost_options and the lwspp::http option structs, so the config
// stays a thin layer over the public API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lwspp/context.hpp"
#include "lwspp/http_server.hpp"

namespace lwspp_server {

// One item of a vhost's "mounts": static files (http::server::mount) or a
// redirect (http::server::redirect), never both.
struct mount_settings {
  std::string mountpoint;             // "/static"
  lwspp::http::static_options files;  // origin, index, auth, ...: a files mount
  std::string redirect;               // a redirect mount: where to
  int status = 301;                   // a redirect mount: its status
  bool has_origin = false;
  bool has_redirect = false;
  bool has_status = false;
  std::vector<std::string> files_keys;  // the file-serving keys given (for errors)
  std::string pointer;                  // "/vhosts/0/mounts/1", for errors
};

// The keys of a vhost that speaks "http".
struct http_settings {
  lwspp::http::server_options options;
  std::uint64_t max_body = lwspp::http::handler{}.max_body;  // for the vhost's routes
  bool demo = false;                                         // serve the demo site
  bool demo_deflate = true;  // the demo's WebSockets agree to permessage-deflate
  std::vector<mount_settings> mounts;
};

struct vhost_settings {
  lwspp::vhost_options options;
  std::string protocol = "raw-echo";
  std::string port_env;  // e.g. "PORT": its value, when set, replaces the port of listen
  std::string pointer;   // JSON pointer of this vhost in the config ("/vhosts/0"), for errors
  http_settings http;
  // "tls": {"self_signed": true}: make a self-signed certificate for the
  // first cert/key pair at start-up when either file is missing.
  bool tls_self_signed = false;
};

struct server_settings {
  lwspp::context_options context;
  std::vector<vhost_settings> vhosts;
  // Relative paths in the config (mount origins, credentials files, error
  // pages, the access log) are relative to this directory: the config file's
  // own, or "" (the current directory) for the embedded default.
  std::string config_dir;
};

}  // namespace lwspp_server
