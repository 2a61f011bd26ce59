#include "ws/options_check.hpp"

#include "util/ascii.hpp"

namespace lwspp::ws::detail {

std::string check_common_options(const options& o) {
  for (const std::string& p : o.protocols)
    if (!util::is_token(p)) return "subprotocol '" + p + "' is not a token";
  if (o.protocols.size() > 127) return "more than 127 subprotocols";
  const deflate_options& d = o.deflate;
  if (d.enabled) {
    if (d.server_max_window_bits < 8 || d.server_max_window_bits > 15 ||
        d.client_max_window_bits < 8 || d.client_max_window_bits > 15)
      return "deflate window bits must be 8-15";
    if (d.level < 1 || d.level > 9) return "deflate level must be 1-9";
  }
  if (o.max_message_size == 0) return "max_message_size is 0";
  if (o.max_fragment == 0) return "max_fragment is 0";
  if (o.ping_interval.count() > 0 && o.pong_timeout.count() <= 0)
    return "ping_interval needs a pong_timeout";
  if (o.close_timeout.count() <= 0) return "close_timeout must be positive";
  return {};
}

}  // namespace lwspp::ws::detail
