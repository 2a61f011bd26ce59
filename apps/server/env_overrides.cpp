#include "env_overrides.hpp"

#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "lwspp/address.hpp"

namespace lwspp_server {
namespace {

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (const char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

// listen with its port replaced; "" with why set when it has no port to replace.
std::string with_port(const std::string& listen, std::uint16_t port, std::string& why) {
  if (auto a = lwspp::address::parse(listen)) {
    if (a->is_unix()) {
      why = "the vhost listens on a Unix socket, which has no port";
      return {};
    }
    a->set_port(port);
    return a->to_string();
  }
  // A host name ("localhost:7681"): it has no ':' of its own.
  if (auto hp = lwspp::split_host_port(listen)) return hp->host + ":" + std::to_string(port);
  return {};  // an invalid "listen", already reported by that key
}

}  // namespace

void register_env_keys(config_schema& schema) {
  schema.add({.name = "port_env",
              .where = place::vhost,
              .description = "environment variable whose value, when set, replaces the port",
              .apply = [](const nlohmann::json& v, config_target& t) -> std::string {
                const std::string name = v.get<std::string>();
                if (!valid_env_name(name))
                  return "\"" + name + "\" is not an environment variable name";
                t.vhost->port_env = name;
                return {};
              }});
}

std::vector<std::string> apply_env_overrides(server_settings& s, diagnostics& diag,
                                             const env_lookup& env) {
  std::vector<std::string> notes;
  std::set<std::string> taken;  // each variable moves the first vhost that names it
  for (vhost_settings& vh : s.vhosts) {
    if (vh.port_env.empty() || !taken.insert(vh.port_env).second) continue;
    const char* value = env(vh.port_env.c_str());
    if (!value) continue;
    const std::string at = vh.pointer + "/port_env";
    std::uint16_t port = 0;
    if (!parse_port(value, port)) {
      diag.error(at, "port_env",
                 vh.port_env + "=\"" + value + "\" in the environment is not a port (0..65535)");
      continue;
    }
    std::string why;
    std::string moved = with_port(vh.options.listen, port, why);
    if (!why.empty()) diag.error(at, "port_env", vh.port_env + " is set but " + why);
    if (moved.empty()) continue;
    notes.push_back(vh.port_env + "=" + value + ": vhost " + vh.options.name + " listens on " +
                    moved + " instead of " + vh.options.listen);
    vh.options.listen = std::move(moved);
  }
  return notes;
}

}  // namespace lwspp_server
