// What an http::server holds: routes, mounts and redirects (frozen once
// listening), settings, loaded error pages and credentials, the access log.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/access_log.hpp"
#include "http/basic_auth.hpp"
#include "http/path.hpp"
#include "lwspp/http_server.hpp"

namespace lwspp::ws::detail {
struct route_config;
}

namespace lwspp::http {

struct route_rule {
  std::string path;  // without the trailing "/*" of a prefix route
  bool prefix = false;
  bool any_method = false;
  method verb = method::other;
  handler h;
  std::shared_ptr<const credentials> auth;
  std::shared_ptr<ws::detail::route_config> ws;  // a WebSocket route (GET upgrades only)
};

struct mount_rule {
  std::string prefix;
  static_options opts;
  std::shared_ptr<const credentials> auth;
  std::optional<document_root> root;  // opened at listen()
};

struct redirect_rule {
  std::string prefix;
  std::string location;
  int status = 301;
};

struct server::impl {
  server_options opts;
  std::vector<std::unique_ptr<route_rule>> routes;
  std::vector<std::unique_ptr<mount_rule>> mounts;
  std::vector<redirect_rule> redirects;
  // Problems found while routes were added (a credentials file that cannot be
  // read): reported by listen(), which then refuses to serve.
  std::vector<std::string> config_errors;

  // Filled at listen().
  std::vector<std::pair<int, std::string>> error_bodies;  // status → page
  std::string fixed_fields;  // "server: lwspp\r\n" + the vhost's custom headers
  std::unique_ptr<access_log> log;
  context* ctx = nullptr;
  std::uint64_t largest_body = 1024 * 1024;  // the parser's limit before routing
  bool listening = false;
  bool has_ws = false;  // some route is a WebSocket route
};

}  // namespace lwspp::http
