#include "ws/server_session.hpp"

#include <vector>

namespace lwspp::ws::detail {
namespace {

thread_local const http::request* upgrading = nullptr;

// Sessions waiting for a connection to wake, per thread. Bounded: past it a
// released session is freed (a burst of wake-ups does not pin memory).
constexpr std::size_t pool_cap = 256;

struct session_pool {
  std::vector<std::unique_ptr<server_session>> free;
  std::size_t made = 0;
};

session_pool& pool() {
  thread_local session_pool p;
  return p;
}

// The role of a closed connection whose session went back to the pool: a
// handle or a deferred task that still reaches the connection finds no
// session here (session::of gives nullptr), never a pooled one.
struct closed_role final : role {
  void on_data(connection&, std::string_view) override {}
  void on_shutdown(connection&) override {}
  void on_peer_eof(connection&) override {}
};
closed_role closed;

}  // namespace

void route_config::prepare_resting() {
  resting.clear();
  for (std::size_t i = 0; i <= opts.protocols.size(); ++i)
    resting.push_back(std::make_unique<resting_role>(*this, static_cast<std::int8_t>(i) - 1));
}

server_session& server_session::take(route_config& cfg, connection& c, std::int8_t protocol) {
  session_pool& p = pool();
  server_session* s;
  if (p.free.empty()) {
    ++p.made;
    s = new server_session(cfg, c);
  } else {
    s = p.free.back().release();
    p.free.pop_back();
  }
  s->reopen(cfg, c, protocol);
  return *s;
}

void server_session::release() noexcept {
  session_pool& p = pool();
  if (p.free.size() < pool_cap) {
    p.free.emplace_back(this);
  } else {
    delete this;
  }
}

server_session::pool_stats server_session::stats() noexcept {
  return {pool().made, pool().free.size()};
}

void server_session::start(const agreement& a, const http::request& req, std::string_view rest) {
  upgrading = &req;
  begin(a);
  upgrading = nullptr;
  feed_rest(rest);
  rest_if_idle();
}

const http::request* server_session::current_request() noexcept {
  return upgrading;
}

void server_session::rest_if_idle() {
  if (!can_rest()) return;
  const auto slot = static_cast<std::size_t>(protocol_index() + 1);
  route_config& r = route();
  if (slot >= r.resting.size()) return;
  conn_->switch_role(*r.resting[slot]);
  release();
}

void server_session::rest_later() {
  conn_->get_loop().defer([ref = connection_ref(conn_)] {
    connection& c = *ref.get();
    if (!c.is_open()) return;
    if (auto* s = dynamic_cast<server_session*>(&c.current_role())) s->rest_if_idle();
  });
}

void server_session::on_data(connection& c, std::string_view bytes) {
  session::on_data(c, bytes);
  rest_if_idle();
}

void server_session::on_writable(connection& c) {
  session::on_writable(c);
  rest_if_idle();
}

void server_session::on_role_timer(connection& c) {
  session::on_role_timer(c);
  rest_if_idle();
}

void server_session::on_close(connection& c, const close_reason& why) {
  session::on_close(c, why);
  c.switch_role(closed);
  release();
}

// --- resting_role ---------------------------------------------------------------------

server_session& resting_role::wake(connection& c) {
  server_session& s = server_session::take(cfg_, c, protocol_);
  c.switch_role(s);
  return s;
}

void resting_role::on_data(connection& c, std::string_view bytes) {
  wake(c).on_data(c, bytes);
}

void resting_role::on_writable(connection& c) {
  wake(c).on_writable(c);
}

void resting_role::on_role_timer(connection& c) {
  wake(c).on_role_timer(c);
}

void resting_role::on_shutdown(connection& c) {
  wake(c).on_shutdown(c);
}

void resting_role::on_peer_eof(connection& c) {
  wake(c).on_peer_eof(c);
}

void resting_role::on_close(connection& c, const close_reason& why) {
  // The connection is gone: the session only reports it (handlers::close
  // with a socket& as usual), then goes back to the pool.
  server_session::take(cfg_, c, protocol_).on_close(c, why);
}

}  // namespace lwspp::ws::detail

namespace lwspp::ws {

const http::request* socket::upgrade_request() const noexcept {
  return detail::server_session::current_request();
}

}  // namespace lwspp::ws
