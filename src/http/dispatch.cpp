// Routing a request to what answers it. See dispatch.hpp.
#include "http/dispatch.hpp"

#include "http/router.hpp"
#include "http/static_files.hpp"
#include "http/ws_upgrade.hpp"
#include "util/ascii.hpp"

namespace lwspp::http::detail {

namespace {

void send_redirect(exchange& ex, const redirect_rule& rd, std::size_t prefix_len) {
  std::string location = rd.location;
  std::string_view rest = ex.req.path();
  rest.remove_prefix(prefix_len < rest.size() ? prefix_len : rest.size());
  if (!location.empty() && location.back() == '/' && !rest.empty() && rest.front() == '/')
    rest.remove_prefix(1);
  util::append_percent_encoded_path(location, rest);
  if (!ex.req.query().empty()) {
    location += '?';
    location += ex.req.query();
  }
  ex.res.redirect(rd.status, location);
}

const credentials* auth_of(const route_match& m) noexcept {
  if (m.route) return m.route->auth.get();
  if (m.mount) return m.mount->auth.get();
  return nullptr;
}

}  // namespace

void send_error(exchange& ex, int status) {
  response& res = ex.res;
  if (res.headers_sent()) {
    ex.warn("send_error after the head was sent: the response cannot change its status");
    return;
  }
  res.status(status);
  if (ex.srv) {
    for (const auto& [code, page] : ex.srv->error_bodies) {
      if (code != status) continue;
      if (!res.has_content_type()) res.content_type("text/html; charset=utf-8");
      res.send(page);
      return;
    }
  }
  std::string body = std::to_string(status);
  body += ' ';
  body += status_text(status);
  body += '\n';
  res.send(body);
}

begin_result begin(exchange& ex) {
  request& req = ex.req;
  response& res = ex.res;
  const bool websocket = ex.srv->has_ws && (ex.extended_connect || asks_for_websocket(req));
  const route_match m = match_route(*ex.srv, req.verb(), req.method_name(), req.path(), websocket);
  if (const credentials* auth = auth_of(m)) {
    const std::string_view user = check_basic(*auth, req.header("authorization"));
    if (user.empty()) {
      res.header("www-authenticate", "Basic realm=\"" + auth->realm + "\", charset=\"UTF-8\"");
      send_error(ex, 401);
      return {};
    }
    exchange::set_user(req, user);
  }
  exchange::set_prefix(req, m.prefix_len);
  if (ex.extended_connect && !(m.what == route_match::kind::route && m.route->ws)) {
    // RFC 8441: only a WebSocket route can take the stream over.
    send_error(ex, 404);
    return {};
  }
  switch (m.what) {
    case route_match::kind::none:
      send_error(ex, 404);
      return {};
    case route_match::kind::wrong_method:
      res.header("allow", m.allow);
      send_error(ex, 405);
      return {};
    case route_match::kind::redirect:
      send_redirect(ex, *m.redirect, m.prefix_len);
      return {};
    case route_match::kind::mount:
      if (req.verb() != method::get && req.verb() != method::head) {
        res.header("allow", "GET, HEAD");
        send_error(ex, 405);
        return {};
      }
      serve_static(ex, *m.mount);
      return {};
    case route_match::kind::websocket_only:
      send_upgrade_required(ex);
      return {};
    case route_match::kind::route:
      break;
  }
  if (m.route->ws) return begin_ws(ex, *m.route->ws);
  handler& h = const_cast<handler&>(m.route->h);
  ex.route_handler = &h;
  if (h.on_body) {
    if (h.on_request) h.on_request(req, res);
    return {body_plan::stream, h.max_body};
  }
  return {body_plan::whole, h.max_body};
}

void body_piece(exchange& ex, std::string_view data) {
  auto* h = const_cast<handler*>(ex.route_handler);
  if (h && h->on_body) h->on_body(ex.req, ex.res, data);
}

void body_end(exchange& ex, body_plan plan) {
  auto* h = const_cast<handler*>(ex.route_handler);
  if (!h) return;
  if (plan == body_plan::whole) {
    if (h->on_request) {
      h->on_request(ex.req, ex.res);
    } else {
      send_error(ex, 500);
    }
  } else if (plan == body_plan::stream && h->on_body_end) {
    h->on_body_end(ex.req, ex.res);
  }
}

}  // namespace lwspp::http::detail
