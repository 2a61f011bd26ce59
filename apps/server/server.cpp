#include "server.hpp"

#include "lwspp/context.hpp"
#include "lwspp/log.hpp"
#include "lwspp/version.hpp"
#include "protocols.hpp"

namespace lwspp_server {

int run_server(const server_settings& settings, const std::vector<std::string>& notes) {
  // Declared before the context, so destroyed after it: each http::server
  // outlives the vhost serving it.
  std::vector<vhost_state> states;
  lwspp::context ctx(settings.context);
  for (const std::string& note : notes)
    LWSPP_LOG(ctx.log(), info, note);
  for (const vhost_settings& vh : settings.vhosts) {
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
  ctx.handle_signals();
  LWSPP_LOG(ctx.log(), info, "lwspp-server ", lwspp::version_string, " running with ",
            ctx.loop_count(), " loop(s); SIGTERM or SIGINT stops it");
  return ctx.run();
}

}  // namespace lwspp_server
