#include "server.hpp"

#include <filesystem>
#include <system_error>

#include "lwspp/context.hpp"
#include "lwspp/log.hpp"
#include "lwspp/tls.hpp"
#include "lwspp/version.hpp"
#include "protocols.hpp"

namespace lwspp_server {
namespace {

// "self_signed": a development certificate made on first run, kept in the
// configured files so that browsers are asked to trust it only once.
bool ensure_certificate(lwspp::context& ctx, const vhost_settings& vh) {
  if (!vh.tls_self_signed || !vh.options.tls || vh.options.tls->certificates.empty()) return true;
  const lwspp::tls_certificate& c = vh.options.tls->certificates.front();
  std::error_code ec;
  if (std::filesystem::exists(c.cert_file, ec) && std::filesystem::exists(c.key_file, ec))
    return true;
  if (auto made = lwspp::tls::make_self_signed(c.cert_file, c.key_file); !made) {
    LWSPP_LOG(ctx.log(), error, "vhost ", vh.options.name,
              ": cannot make a self-signed certificate: ", made.error().message());
    return false;
  }
  LWSPP_LOG(ctx.log(), notice, "vhost ", vh.options.name,
            ": made a self-signed certificate for localhost: ", c.cert_file, " (key ", c.key_file,
            ")");
  return true;
}

void reload_certificates(lwspp::context& ctx) {
  for (const auto& vh : ctx.vhosts()) {
    if (!vh->is_tls()) continue;
    if (auto r = vh->reload_tls(); r) {
      LWSPP_LOG(ctx.log(), notice, "vhost ", vh->name(), ": certificates reloaded");
    } else {
      LWSPP_LOG(ctx.log(), error, "vhost ", vh->name(),
                ": certificate reload failed, keeping the old one: ", r.error().message());
    }
  }
}

}  // namespace

int run_server(const server_settings& settings, const std::vector<std::string>& notes) {
  // Declared before the context, so destroyed after it: each http::server
  // outlives the vhost serving it.
  std::vector<vhost_state> states;
  lwspp::context ctx(settings.context);
  for (const std::string& note : notes)
    LWSPP_LOG(ctx.log(), info, note);
  for (const vhost_settings& vh : settings.vhosts) {
    if (!ensure_certificate(ctx, vh)) return 1;
    const protocol* p = find_protocol(vh.protocol);  // the config check guarantees it
    // Binding logs "vhost X listening on ADDR" itself.
    auto added = p->listen(ctx, vh);
    if (!added) {
      LWSPP_LOG(ctx.log(), error, "vhost ", vh.options.name, ": cannot listen on ",
                vh.options.listen, ": ", added.error().message());
      return 1;
    }
    states.push_back(std::move(added.value()));
    LWSPP_LOG(ctx.log(), info, "vhost ", vh.options.name, " speaks ", vh.protocol);
  }
  // SIGHUP: new certificates from the same files, without a restart.
  ctx.handle_signals([&ctx] { reload_certificates(ctx); });
  LWSPP_LOG(ctx.log(), info, "lwspp-server ", lwspp::version_string, " running with ",
            ctx.loop_count(), " loop(s); SIGTERM or SIGINT stops it, SIGHUP reloads certificates");
  return ctx.run();
}

}  // namespace lwspp_server
