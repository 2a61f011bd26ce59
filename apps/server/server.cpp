#include "server.hpp"

#include "lwspp/context.hpp"
#include "lwspp/log.hpp"
#include "lwspp/version.hpp"
#include "protocols.hpp"

namespace lwspp_server {

int run_server(const server_settings& settings, const std::vector<std::string>& notes) {
  lwspp::context ctx(settings.context);
  for (const std::string& note : notes)
    LWSPP_LOG(ctx.log(), info, note);
  for (const vhost_settings& vh : settings.vhosts) {
    const protocol* p = find_protocol(vh.protocol);  // the config check guarantees it
    // add_vhost binds now and logs "vhost X listening on ADDR" itself.
    auto added = ctx.add_vhost(vh.options, p->make(vh));
    if (!added) {
      LWSPP_LOG(ctx.log(), error, "vhost ", vh.options.name, ": cannot listen on ",
                vh.options.listen, ": ", added.error().message());
      return 1;
    }
    LWSPP_LOG(ctx.log(), info, "vhost ", vh.options.name, " speaks ", vh.protocol);
  }
  ctx.handle_signals();
  LWSPP_LOG(ctx.log(), info, "lwspp-server ", lwspp::version_string, " running with ",
            ctx.loop_count(), " loop(s); SIGTERM or SIGINT stops it");
  return ctx.run();
}

}  // namespace lwspp_server
