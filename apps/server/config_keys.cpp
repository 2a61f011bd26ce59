// Core config keys. Each writes into lwspp::context_options or
// lwspp::vhost_options; the ranges are the sane bounds of those settings.
#include "config_keys.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "lwspp/address.hpp"
#include "lwspp/log.hpp"

namespace lwspp_server {
namespace {

using json = nlohmann::json;
using ms = std::chrono::milliseconds;

constexpr std::int64_t max_connection_cap = 10'000'000;

std::size_t as_size(const json& v) {
  return static_cast<std::size_t>(v.get<std::int64_t>());
}

void register_top_keys(config_schema& s) {
  s.add({.name = "log_level",
         .type = value_type::string,
         .description = "error, warn, notice (default), info or debug",
         .apply = [](const json& v, config_target& t) -> std::string {
           if (lwspp::parse_log_level(v.get<std::string>(), t.server.context.level)) return {};
           return "unknown level \"" + v.get<std::string>() +
                  "\" (expected error, warn, notice, info or debug)";
         }});
  s.add({.name = "loops",
         .type = value_type::integer,
         .description = "service loops (threads); TCP listeners use SO_REUSEPORT across them",
         .min = 1,
         .max = 256,
         .apply = [](const json& v, config_target& t) {
           t.server.context.loops = static_cast<unsigned>(v.get<std::int64_t>());
           return std::string();
         }});
  s.add({.name = "drain_timeout_ms",
         .type = value_type::integer,
         .description = "on SIGTERM/SIGINT, time given to in-flight writes before closing",
         .min = 0,
         .max = max_timeout_ms,
         .apply = [](const json& v, config_target& t) {
           t.server.context.drain_timeout = ms(v.get<std::int64_t>());
           return std::string();
         }});
  s.add({.name = "vhosts",
         .type = value_type::array,
         .description = "the virtual hosts, each an object with the vhost keys below",
         .required = true,
         .items = place::vhost,
         .apply = [](const json& v, config_target&) {
           return v.empty() ? std::string("needs at least one vhost") : std::string();
         }});
}

void register_vhost_keys(config_schema& s) {
  s.add({.name = "name",
         .where = place::vhost,
         .description = "name used in logs (default: vhost<index>)",
         .apply = [](const json& v, config_target& t) -> std::string {
           if (v.get<std::string>().empty()) return "must not be empty";
           t.vhost->options.name = v.get<std::string>();
           return {};
         }});
  s.add({.name = "listen",
         .where = place::vhost,
         .description = "127.0.0.1:7681, [::]:443, host:port, unix:/path or unix:@name",
         .required = true,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.listen = v.get<std::string>();
           return check_listen_address(t.vhost->options.listen);
         }});
  s.add({.name = "backlog",
         .where = place::vhost,
         .type = value_type::integer,
         .description = "listen(2) backlog",
         .min = 1,
         .max = 65535,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.backlog = static_cast<int>(v.get<std::int64_t>());
           return std::string();
         }});
  s.add({.name = "max_connections",
         .where = place::vhost,
         .type = value_type::integer,
         .description = "open connections per loop (0 = no cap); past it new ones are closed",
         .min = 0,
         .max = max_connection_cap,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.max_connections = as_size(v);
           return std::string();
         }});
  s.add({.name = "max_connections_per_ip",
         .where = place::vhost,
         .type = value_type::integer,
         .description = "open connections from one client IP per loop (0 = no cap)",
         .min = 0,
         .max = max_connection_cap,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.max_connections_per_ip = as_size(v);
           return std::string();
         }});
  s.add({.name = "idle_timeout_ms",
         .where = place::vhost,
         .type = value_type::integer,
         .description = "close a connection with no traffic for this long (0 = never)",
         .min = 0,
         .max = max_timeout_ms,
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.connection.idle_timeout = ms(v.get<std::int64_t>());
           return std::string();
         }});
  s.add({.name = "unlink_stale_socket",
         .where = place::vhost,
         .type = value_type::boolean,
         .description = "remove a stale Unix socket file before binding (default true)",
         .apply = [](const json& v, config_target& t) {
           t.vhost->options.unlink_stale_socket = v.get<bool>();
           return std::string();
         }});
}

// Two vhosts with one name make logs ambiguous; two on one address would
// fail at bind time anyway, but --check should say so first. TLS vhosts are
// the exception: they share a port, and SNI picks among them.
void check_unique_vhosts(const server_settings& s, diagnostics& diag) {
  std::map<std::string, const vhost_settings*> names;
  std::map<std::string, const vhost_settings*> listens;
  for (const vhost_settings& vh : s.vhosts) {
    if (auto [it, fresh] = names.try_emplace(vh.options.name, &vh); !fresh) {
      diag.error(vh.pointer + "/name", "name",
                 "vhost name \"" + vh.options.name + "\" is already used at line " +
                     std::to_string(diag.line_of(it->second->pointer)));
    }
    const std::string& where = vh.options.listen;
    const bool any_port = where.ends_with(":0");  // each gets its own port
    if (where.empty() || any_port) continue;
    if (auto [it, fresh] = listens.try_emplace(where, &vh);
        !fresh && !(vh.options.tls && it->second->options.tls)) {
      diag.error(vh.pointer + "/listen", "listen",
                 where + " is already used by vhost \"" + it->second->options.name + "\" at line " +
                     std::to_string(diag.line_of(it->second->pointer)));
    }
  }
}

bool looks_like_ipv4(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::string check_listen_address(const std::string& text) {
  auto literal = lwspp::address::parse(text);
  if (literal) return {};
  // Not a literal: "localhost:7681" is a host name, resolved when binding.
  // Unix sockets, brackets and dotted numbers are literals that failed.
  const bool literal_form = text.starts_with("unix:") || text.starts_with("[");
  if (!literal_form) {
    auto hp = lwspp::split_host_port(text);
    if (hp && !looks_like_ipv4(hp->host)) return {};
  }
  return literal.error().message();
}

void register_core_keys(config_schema& schema) {
  register_top_keys(schema);
  register_vhost_keys(schema);
  schema.add_check(check_unique_vhosts);
}

}  // namespace lwspp_server
