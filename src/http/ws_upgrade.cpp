// WebSocket routes: the handshake and the hand-over. See ws_upgrade.hpp.
#include "http/ws_upgrade.hpp"

#include <memory>

#include "util/ascii.hpp"
#include "ws/handshake.hpp"
#include "ws/server_session.hpp"

namespace lwspp::http::detail {

struct ws_upgrade {
  ws::detail::route_config* cfg = nullptr;
  ws::handshake_result result;
};

void ws_upgrade_deleter::operator()(ws_upgrade* u) const noexcept {
  delete u;
}

namespace {

// The fields the handshake reads, several fields of one name joined with
// ", " (the joined values live in `store`).
struct gathered {
  ws::upgrade_request r;
  std::string store[5];
};

void gather(const request& req, gathered& g) {
  std::string_view* const slots[5] = {&g.r.upgrade, &g.r.connection, &g.r.version, &g.r.protocols,
                                      &g.r.extensions};
  static constexpr std::string_view names[5] = {"upgrade", "connection", "sec-websocket-version",
                                                "sec-websocket-protocol",
                                                "sec-websocket-extensions"};
  bool seen[5] = {};
  for (const header& h : req.headers()) {
    if (util::iequals(h.name, "sec-websocket-key")) {
      if (g.r.key_fields++ == 0) g.r.key = h.value;
      continue;
    }
    if (util::iequals(h.name, "origin")) {
      if (!g.r.has_origin) g.r.origin = h.value;
      g.r.has_origin = true;
      continue;
    }
    for (int i = 0; i < 5; ++i) {
      if (!util::iequals(h.name, names[i])) continue;
      if (!seen[i]) {
        *slots[i] = h.value;
        seen[i] = true;
      } else {
        if (g.store[i].empty()) g.store[i].assign(*slots[i]);
        g.store[i] += ", ";
        g.store[i].append(h.value);
        *slots[i] = g.store[i];
      }
      break;
    }
  }
  g.r.get = req.verb() == method::get;
  g.r.http11 = req.version() >= 11;
}

bool has_body(const request& req) noexcept {
  const std::string_view cl = req.header("content-length");
  return (!cl.empty() && cl != "0") || !req.header("transfer-encoding").empty();
}

// A refusal with a body that says why (the client's developer reads it).
void refuse(exchange& ex, int status, std::string_view problem) {
  response& res = ex.res;
  if (status == 426) {
    exchange::add_field(res, "upgrade: websocket\r\n");
    res.header("sec-websocket-version", "13");
  }
  std::string body = std::to_string(status);
  body += ' ';
  body += status_text(status);
  body += ": ";
  body += problem;
  body += '\n';
  res.status(status).content_type("text/plain; charset=utf-8").send(body);
}

}  // namespace

void send_upgrade_required(exchange& ex) {
  refuse(ex, 426, "this resource is a WebSocket endpoint");
}

bool asks_for_websocket(const request& req) noexcept {
  for (const header& h : req.headers())
    if (util::iequals(h.name, "upgrade") && ws::lists_token(h.value, "websocket")) return true;
  return false;
}

begin_result begin_ws(exchange& ex, ws::detail::route_config& cfg) {
  request& req = ex.req;
  response& res = ex.res;
  gathered g;
  gather(req, g);
  g.r.extended_connect = ex.extended_connect;
  ws::handshake_settings s;
  s.protocols = cfg.opts.protocols;
  s.origins = cfg.opts.origins;
  s.deflate = cfg.deflate;
  ws::handshake_result h = ws::check_upgrade(g.r, s);
  // 101 for HTTP/1.1; 200 for an extended CONNECT (whose stream the DATA
  // frames share with no request body).
  if (h.status == 101 && has_body(req)) {
    h.status = 400;
    h.problem = "a WebSocket handshake has no body";
  }
  if (h.status != 101 && !(h.status == 200 && h.extended_connect)) {
    refuse(ex, h.status, h.problem);
    return {};
  }
  if (cfg.h.upgrade) {
    const bool accepted = cfg.h.upgrade(req, res);
    if (res.headers_sent()) {
      if (accepted) ex.warn("ws: the upgrade handler answered the request: not upgraded");
      return {};
    }
    if (!accepted) {
      send_error(ex, 403);
      return {};
    }
  }
  ex.upgrade.reset(new ws_upgrade{&cfg, std::move(h)});
  return {body_plan::upgrade, 0};
}

void append_ws_fields(exchange& ex, std::string& fields) {
  const ws_upgrade& u = *ex.upgrade;
  ws::append_accept_fields(fields, u.result, u.cfg->opts.protocols);
  fields += u.cfg->fixed_fields;
}

void hand_over(exchange& ex, std::string_view rest) {
  hand_over(ex, ex.conn(), rest);
}

void hand_over(exchange& ex, connection& c, std::string_view rest) {
  std::unique_ptr<ws_upgrade, ws_upgrade_deleter> u = std::move(ex.upgrade);
  ws::agreement a;
  a.protocol = u->result.protocol;
  a.deflate = u->result.deflate;
  ws::detail::server_session& s = ws::detail::server_session::take(*u->cfg, c);
  c.switch_role(s);  // pooled: given back at the close, or when it rests
  s.start(a, ex.req, rest);
}

}  // namespace lwspp::http::detail
