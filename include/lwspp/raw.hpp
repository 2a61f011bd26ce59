// The raw role: a TCP or Unix stream with typed handlers and no protocol.
//
//   lwspp::context ctx;
//   auto vh = lwspp::raw::listen(ctx, {.listen = "127.0.0.1:7681"},
//       {.on_data = [](lwspp::connection& c, std::string_view d) { c.send(d); }});
//   if (!vh) return 1;
//   ctx.handle_signals();
//   return ctx.run();
#pragma once

#include <functional>
#include <string_view>

#include "lwspp/context.hpp"

namespace lwspp::raw {

// Every handler is optional. With loops > 1 they are called from several
// threads at once: state they capture must be per connection or locked.
struct handlers {
  std::function<void(connection&)> on_open = {};
  std::function<void(connection&, std::string_view bytes)> on_data = {};
  // After request_writable(), or once the queue drains below half the
  // high-water mark after a send reported backpressure.
  std::function<void(connection&)> on_writable = {};
  std::function<void(connection&, const close_reason&)> on_close = {};
};

role_factory make_role(handlers h);

result<vhost*> listen(context& ctx, vhost_options opts, handlers h);
connection_handle connect(context& ctx, std::string_view target, handlers h,
                          connect_options opts = {});
result<connection_handle> adopt(context& ctx, int fd, handlers h, connection_options opts = {},
                                unsigned loop_index = 0);

}  // namespace lwspp::raw
