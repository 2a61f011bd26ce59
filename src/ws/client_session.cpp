// The WebSocket client role. See client_session.hpp.
#include "ws/client_session.hpp"

#include "tls/session.hpp"
#include "ws/client_core.hpp"
#include "ws/client_handshake.hpp"
#include "ws/h2_tunnel.hpp"

namespace lwspp::ws::detail {
namespace {

bool is_redirect(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string status_text(const h1::response_head& h) {
  std::string s = "HTTP " + std::to_string(h.status);
  if (!h.reason.empty()) {
    s += ' ';
    s.append(h.reason);
  }
  return s;
}

}  // namespace

client_session::client_session(std::shared_ptr<client_core> core, connection& c)
    : session(core->config(), c, endpoint::client), core_(std::move(core)) {}

client_session::~client_session() = default;

void client_session::on_open(connection& c) {
  if (core_->use_h2(c)) {
    // RFC 8441: the WebSocket goes over an HTTP/2 stream; this role is
    // replaced (and freed once this call returns).
    if (auto started = h2_tunnel::start(core_, c); !started) {
      core_->attached(*this);
      fail_handshake(close_reason(started.error()));
    }
    return;
  }
  core_->attached(*this);
  const client_options& o = core_->options();
  hs_ = std::make_unique<handshake>();
  hs_->parser = h1::response_parser(h1::response_limits{.max_status_line = o.max_response_head,
                                                        .max_header_bytes = o.max_response_head});
  hs_->key = make_client_key();
  const url u = core_->current_url();
  const std::string authority = u.authority();
  client_request r{.authority = authority,
                   .resource = u.resource,
                   .origin = o.origin,
                   .protocols = cfg_->opts.protocols,
                   .deflate = core_->deflate_offer(),
                   .headers = o.headers};
  arm_opening_timer(o.handshake_timeout);
  c.send(build_upgrade_request(r, hs_->key));
}

void client_session::on_data(connection& c, std::string_view bytes) {
  if (!opening() || !hs_) {
    session::on_data(c, bytes);
    return;
  }
  hs_->received += bytes.size();
  const h1::response_step s = hs_->parser.feed(bytes);
  if (s.ev == h1::response_event::need_more) return;
  if (s.ev == h1::response_event::error) {
    fail_handshake(client_failure(client_error::handshake_invalid,
                                  "malformed response: " + std::string(hs_->parser.error_reason()) +
                                      " (byte " + std::to_string(hs_->parser.error_offset()) +
                                      ")"));
    return;
  }
  on_head(bytes.substr(s.consumed));
}

void client_session::on_head(std::string_view rest) {
  const h1::response_head& h = hs_->parser.head();
  if (h.status != 101) {
    const std::string_view location = h.get("location");
    if (is_redirect(h.status) && !location.empty() && core_->options().follow_redirects > 0) {
      auto next = resolve_location(core_->current_url(), location);
      if (!next) return fail_handshake(close_reason(next.error()));
      if (!core_->redirect_to(*next)) {
        return fail_handshake(
            client_failure(client_error::too_many_redirects,
                           status_text(h) + " to " + std::string(location) + " after " +
                               std::to_string(core_->options().follow_redirects) + " redirects",
                           h.status));
      }
      conn_->close(close_reason(lwspp::error::closed_locally, "redirected"));
      return;
    }
    std::string detail = status_text(h);
    if (!location.empty()) detail += " (Location: " + std::string(location) + ")";
    return fail_handshake(
        client_failure(client_error::handshake_status, std::move(detail), h.status));
  }
  std::string joined[3];
  upgrade_response r{.status = h.status,
                     .upgrade = h.get_all("upgrade", joined[0]),
                     .connection = h.get_all("connection", joined[1]),
                     .accept = h.get("sec-websocket-accept"),
                     .accept_fields = static_cast<int>(h.count("sec-websocket-accept")),
                     .protocol = h.get("sec-websocket-protocol"),
                     .protocol_fields = static_cast<int>(h.count("sec-websocket-protocol")),
                     .extensions = h.get_all("sec-websocket-extensions", joined[2])};
  auto a = check_upgrade_response(r, hs_->key, cfg_->opts.protocols, core_->deflate_offer());
  if (!a) return fail_handshake(close_reason(a.error()));
  // The rest is in the connection's read buffer, which stays ours during
  // this call: the handshake state (and the parser's copy) can go.
  hs_.reset();
  core_->opened();
  begin(*a);
  feed_rest(rest);
}

void client_session::fail_handshake(close_reason why) {
  hs_.reset();
  conn_->close(std::move(why));
}

void client_session::on_opening_timeout() {
  fail_handshake(handshake_timed_out(core_->options(), "the upgrade request"));
}

void client_session::on_peer_eof(connection& c) {
  if (!opening()) {
    session::on_peer_eof(c);
    return;
  }
  if (c.is_tls() && c.tls_session().state() == tls::session_state::failed) {
    fail_handshake(c.tls_session().failure());
    return;
  }
  const std::size_t got = hs_ ? hs_->received : 0;
  fail_handshake(client_failure(client_error::handshake_invalid,
                                got == 0
                                    ? "the server closed the connection without answering"
                                    : "the server closed the connection after " +
                                          std::to_string(got) + " bytes of the response head"));
}

void client_session::on_close(connection& c, const close_reason& why) {
  (void)c;
  const bool was_open = !opening();
  hs_.reset();
  const bool redirected = core_->redirecting() && !was_open;
  core_->closing(was_open, why);
  if (redirected) {
    end_quietly();  // not an end the application hears of: the next attempt follows
  } else {
    // 1015: the TLS handshake failed (RFC 6455 §7.4.1); 1006 otherwise.
    const bool tls_failed = !was_open && why.code.category() == tls_error_category();
    report_close(why, tls_failed ? 1015 : 1006);
  }
  core_->after_close();
}

}  // namespace lwspp::ws::detail
