// The WebSocket client session carried by an HTTP/2 stream: the session
// core as the client end, opening until the tunnel reports the server's
// 2xx. See h2_tunnel.hpp.
#include "ws/client_core.hpp"
#include "ws/h2_tunnel.hpp"

namespace lwspp::ws::detail {

h2_client_session::h2_client_session(std::shared_ptr<client_core> core, connection& c,
                                     std::shared_ptr<h2_tunnel> t)
    : session(core->config(), c, endpoint::client), core_(std::move(core)), tunnel_(std::move(t)) {}

h2_client_session::~h2_client_session() = default;

void h2_client_session::on_open(connection& c) {
  conn_ = &c;  // made with the attempt's connection; this socket end is ours
  core_->attached(*this);
  tunnel_->ws_attached(*this);
  // The whole handshake (HTTP/2 preface, SETTINGS, CONNECT, its answer)
  // within the time an HTTP/1.1 Upgrade gets.
  arm_opening_timer(core_->options().handshake_timeout);
}

void h2_client_session::accepted(const agreement& a) {
  if (!opening()) return;
  core_->opened();
  begin(a);
}

void h2_client_session::quit_for_fallback() {
  conn_->close(close_reason(lwspp::error::closed_locally, "HTTP/1.1 instead"));
}

void h2_client_session::on_opening_timeout() {
  conn_->close(handshake_timed_out(core_->options(), "the extended CONNECT (HTTP/2)"));
}

void h2_client_session::on_peer_eof(connection& c) {
  if (!opening()) {
    session::on_peer_eof(c);
    return;
  }
  c.close(client_failure(client_error::handshake_invalid,
                         "the HTTP/2 stream ended before the WebSocket opened"));
}

void h2_client_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  const bool was_open = !opening();
  tunnel_->ws_closed(why);
  const bool quiet = core_->redirecting() && !was_open;
  core_->closing(was_open, why);
  if (quiet)
    end_quietly();  // the fall-back's attempt follows
  else
    report_close(why, 1006);
  core_->after_close();
}

}  // namespace lwspp::ws::detail
