// permessage-deflate negotiation.
#include "ws/deflate_offer.hpp"

#include <algorithm>

#include "util/ascii.hpp"

namespace lwspp::ws {
namespace {

// 8-15 written without leading zeros, else 0.
int window_bits_value(std::string_view v) {
  if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return v[0] - '0';
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
  return 0;
}

bool is_deflate(const extension& e) {
  return util::iequals(e.name, deflate_extension_name);
}

}  // namespace

std::optional<deflate_params> parse_deflate_params(const extension& e, bool response) {
  deflate_params p;
  bool seen[4] = {};
  for (const extension_param& x : e.params) {
    int which;
    if (util::iequals(x.name, "server_no_context_takeover")) {
      which = 0;
      if (x.has_value) return std::nullopt;
      p.server_no_context_takeover = true;
    } else if (util::iequals(x.name, "client_no_context_takeover")) {
      which = 1;
      if (x.has_value) return std::nullopt;
      p.client_no_context_takeover = true;
    } else if (util::iequals(x.name, "server_max_window_bits")) {
      which = 2;
      p.server_max_window_bits = x.has_value ? window_bits_value(x.value) : 0;
      if (p.server_max_window_bits == 0) return std::nullopt;
    } else if (util::iequals(x.name, "client_max_window_bits")) {
      which = 3;
      p.has_client_max_window_bits = true;
      if (x.has_value) {
        p.client_max_window_bits = window_bits_value(x.value);
        if (p.client_max_window_bits == 0) return std::nullopt;
      } else if (response) {
        return std::nullopt;
      }
    } else {
      return std::nullopt;  // unknown parameter
    }
    if (seen[which]) return std::nullopt;  // given twice
    seen[which] = true;
  }
  return p;
}

std::optional<deflate_agreement> negotiate_deflate(std::string_view offers,
                                                   const deflate_server_settings& s) {
  const auto list = parse_extensions(offers);
  if (!list) return std::nullopt;
  const int our_window = std::clamp(s.server_max_window_bits, 8, 15);
  const int peer_limit = std::clamp(s.client_max_window_bits, 8, 15);
  for (const extension& e : *list) {
    if (!is_deflate(e)) continue;
    const auto p = parse_deflate_params(e, false);
    if (!p) continue;
    deflate_agreement a;
    a.server_no_context_takeover = p->server_no_context_takeover || s.server_no_context_takeover;
    a.client_no_context_takeover = p->client_no_context_takeover || s.client_no_context_takeover;
    a.server_max_window_bits = our_window;
    if (p->server_max_window_bits != 0)
      a.server_max_window_bits = std::min(our_window, p->server_max_window_bits);
    if (p->has_client_max_window_bits) {
      a.client_max_window_bits = p->client_max_window_bits != 0
                                     ? std::min(peer_limit, p->client_max_window_bits)
                                     : peer_limit;
    } else if (peer_limit < 15) {
      continue;  // the client cannot be told to use a smaller window
    }
    return a;
  }
  return std::nullopt;
}

std::string format_deflate_response(const deflate_agreement& a) {
  std::string out(deflate_extension_name);
  if (a.server_no_context_takeover) out += "; server_no_context_takeover";
  if (a.client_no_context_takeover) out += "; client_no_context_takeover";
  // Stated even at 15 would be harmless; leaving 15 out keeps the answer
  // valid for offers that did not mention client_max_window_bits.
  if (a.server_max_window_bits < 15)
    out += "; server_max_window_bits=" + std::to_string(a.server_max_window_bits);
  if (a.client_max_window_bits < 15)
    out += "; client_max_window_bits=" + std::to_string(a.client_max_window_bits);
  return out;
}

std::string format_deflate_offer(const deflate_client_settings& s) {
  std::string out(deflate_extension_name);
  if (s.client_no_context_takeover) out += "; client_no_context_takeover";
  if (s.server_no_context_takeover) out += "; server_no_context_takeover";
  if (s.server_max_window_bits < 15)
    out += "; server_max_window_bits=" + std::to_string(std::max(s.server_max_window_bits, 8));
  // Always offered: it lets the server limit our window, and a server may
  // only send client_max_window_bits when the offer had it.
  out += "; client_max_window_bits";
  if (s.client_max_window_bits < 15)
    out += "=" + std::to_string(std::max(s.client_max_window_bits, 8));
  return out;
}

result<deflate_agreement> accept_deflate_response(std::string_view response,
                                                  const deflate_client_settings& s) {
  auto refuse = [](std::string why) {
    return result<deflate_agreement>(error::protocol_error,
                                     "Sec-WebSocket-Extensions: " + std::move(why));
  };
  const auto list = parse_extensions(response);
  if (!list) return refuse("malformed");
  if (list->size() != 1)
    return refuse("expected one extension, got " + std::to_string(list->size()));
  const extension& e = list->front();
  if (!is_deflate(e)) return refuse("not offered: " + std::string(e.name));
  const auto p = parse_deflate_params(e, true);
  if (!p) return refuse("bad permessage-deflate parameters");
  const int offered_server =
      s.server_max_window_bits < 15 ? std::max(s.server_max_window_bits, 8) : 0;
  const int offered_client =
      s.client_max_window_bits < 15 ? std::max(s.client_max_window_bits, 8) : 15;
  if (offered_server != 0 &&
      (p->server_max_window_bits == 0 || p->server_max_window_bits > offered_server))
    return refuse("server_max_window_bits missing or above the offer");
  if (s.server_no_context_takeover && !p->server_no_context_takeover)
    return refuse("server_no_context_takeover missing");
  if (p->client_max_window_bits > offered_client)
    return refuse("client_max_window_bits above the offer");
  deflate_agreement a;
  a.server_no_context_takeover = p->server_no_context_takeover;
  a.client_no_context_takeover = p->client_no_context_takeover || s.client_no_context_takeover;
  if (p->server_max_window_bits != 0) a.server_max_window_bits = p->server_max_window_bits;
  a.client_max_window_bits = offered_client;
  if (p->client_max_window_bits != 0)
    a.client_max_window_bits = std::min(offered_client, p->client_max_window_bits);
  return a;
}

deflater_settings deflater_for(const deflate_agreement& a, endpoint side) {
  deflater_settings d;
  const bool server = side == endpoint::server;
  d.window_bits = server ? a.server_max_window_bits : a.client_max_window_bits;
  d.no_context_takeover = server ? a.server_no_context_takeover : a.client_no_context_takeover;
  return d;
}

inflater_settings inflater_for(const deflate_agreement& a, endpoint side) {
  inflater_settings i;
  const bool server = side == endpoint::server;
  i.window_bits = server ? a.client_max_window_bits : a.server_max_window_bits;
  i.no_context_takeover = server ? a.client_no_context_takeover : a.server_no_context_takeover;
  return i;
}

}  // namespace lwspp::ws
