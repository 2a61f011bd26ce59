// Protocol setup for vhosts: raw-echo (every byte back to its sender) and
// http (an lwspp::http::server built from the vhost's http keys).
#include "protocols.hpp"

#include <string>

#include <nlohmann/json.hpp>

#include "demo_site.hpp"
#include "lwspp/http_server.hpp"
#include "lwspp/raw.hpp"

namespace lwspp_server {
namespace {

// Echo with backpressure: when the peer reads slower than it writes, the
// write queue passes the high-water mark; reading pauses until it drains, so
// memory stays bounded by the queue limit instead of growing with the peer.
lwspp::result<vhost_state> listen_raw_echo(lwspp::context& ctx, const vhost_settings& vh) {
  lwspp::raw::handlers echo;
  echo.on_data = [](lwspp::connection& c, std::string_view bytes) {
    if (c.send(bytes).backpressure) c.pause_reading();
  };
  echo.on_writable = [](lwspp::connection& c) { c.resume_reading(); };
  auto added = ctx.add_vhost(vh.options, lwspp::raw::make_role(std::move(echo)));
  if (!added) return added.error();
  return vhost_state();
}

// The routes come first: an exact route wins over a mount at any prefix, and
// mounts and redirects match by longest prefix, so their order is free.
lwspp::result<vhost_state> listen_http(lwspp::context& ctx, const vhost_settings& vh) {
  auto app = std::make_shared<lwspp::http::server>(vh.http.options);
  if (vh.http.demo) add_demo_routes(*app, vh.http.max_body, vh.http.demo_deflate);
  for (const mount_settings& m : vh.http.mounts) {
    if (m.has_redirect)
      app->redirect(m.mountpoint, m.redirect, m.status);
    else
      app->mount(m.mountpoint, m.files);
  }
  auto added = app->listen(ctx, vh.options);
  if (!added) return added.error();
  return vhost_state(std::move(app));
}

constexpr protocol protocols[] = {
    {.name = "raw-echo",
     .description = "raw TCP/Unix stream: every byte received is sent back",
     .listen = listen_raw_echo},
    {.name = "http",
     .description = "HTTP/1.1: the demo site, static file mounts and redirects",
     .listen = listen_http},
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
