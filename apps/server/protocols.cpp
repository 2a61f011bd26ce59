// Protocol setup for vhosts. Today: raw-echo, every byte back to its sender.
#include "protocols.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "lwspp/raw.hpp"

namespace lwspp_server {
namespace {

// Echo with backpressure: when the peer reads slower than it writes, the
// write queue passes the high-water mark; reading pauses until it drains, so
// memory stays bounded by the queue limit instead of growing with the peer.
lwspp::role_factory make_raw_echo(const vhost_settings&) {
  lwspp::raw::handlers echo;
  echo.on_data = [](lwspp::connection& c, std::string_view bytes) {
    if (c.send(bytes).backpressure) c.pause_reading();
  };
  echo.on_writable = [](lwspp::connection& c) { c.resume_reading(); };
  return lwspp::raw::make_role(std::move(echo));
}

constexpr protocol protocols[] = {
    {.name = "raw-echo",
     .description = "raw TCP/Unix stream: every byte received is sent back",
     .make = make_raw_echo},
};

std::string known_names() {
  std::string out;
  for (const protocol& p : protocols) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

}  // namespace

std::span<const protocol> known_protocols() noexcept {
  return protocols;
}

const protocol* find_protocol(std::string_view name) noexcept {
  for (const protocol& p : protocols)
    if (p.name == name) return &p;
  return nullptr;
}

void register_protocol_keys(config_schema& schema) {
  static const std::string description = "what the vhost speaks: " + known_names();
  schema.add({.name = "protocol",
              .where = place::vhost,
              .description = description,
              .apply = [](const nlohmann::json& v, config_target& t) -> std::string {
                const std::string name = v.get<std::string>();
                if (!find_protocol(name))
                  return "unknown protocol \"" + name + "\" (known: " + known_names() + ")";
                t.vhost->protocol = name;
                return {};
              }});
}

}  // namespace lwspp_server
