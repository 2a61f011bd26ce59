// ws::socket and ws::socket_handle: the application's view of a session
// (server or client); every call goes to the session core (ws/session.hpp).
// socket::upgrade_request() is the server's (server_session.cpp).
#include "ws/session.hpp"

namespace lwspp::ws {

namespace {
detail::session& impl(socket* s) noexcept {
  return static_cast<detail::session&>(*s);
}
const detail::session& impl(const socket* s) noexcept {
  return static_cast<const detail::session&>(*s);
}
}  // namespace

send_result socket::send(std::string_view data, message_kind kind) {
  return impl(this).send_message(data, kind);
}
send_result socket::send_fragment(std::string_view data, message_kind kind, bool last) {
  return impl(this).send_piece(data, kind, last);
}
send_result socket::ping(std::string_view payload) {
  return impl(this).send_ping(payload);
}
void socket::close(close_code code, std::string_view reason) {
  impl(this).start_close(code, reason, close_reason(lwspp::error::closed_locally));
}
void socket::abort() {
  impl(this).abort_now();
}
void socket::pause_reading() {
  impl(this).pause();
}
void socket::resume_reading() {
  impl(this).resume();
}
bool socket::is_open() const noexcept {
  return impl(this).open_for_messages();
}
std::size_t socket::buffered() const noexcept {
  return impl(this).conn_ref().buffered();
}
std::string_view socket::protocol() const noexcept {
  return impl(this).protocol_name();
}
bool socket::compressed() const noexcept {
  return impl(this).deflate_on();
}
address socket::peer() const {
  return impl(this).conn_ref().peer();
}
socket_handle socket::handle() {
  return socket_handle(impl(this).conn_ref().handle());
}
connection& socket::conn() noexcept {
  return impl(this).conn_ref();
}

bool socket_handle::send(std::string data, message_kind kind) const {
  return conn_.dispatch([d = std::move(data), kind](connection& c) {
    if (detail::session* s = detail::session::of(c)) s->send_message(d, kind);
  });
}

bool socket_handle::close(close_code code, std::string reason) const {
  return conn_.dispatch([code, r = std::move(reason)](connection& c) {
    if (detail::session* s = detail::session::of(c))
      s->start_close(code, r, close_reason(lwspp::error::closed_locally));
  });
}

bool socket_handle::dispatch(unique_function<void(socket&)> fn) const {
  return conn_.dispatch([f = std::move(fn)](connection& c) mutable {
    detail::session* s = detail::session::of(c);
    if (s && s->open_for_messages()) f(*s);
  });
}

socket* socket_handle::get() const noexcept {
  connection* c = conn_.get();
  if (!c) return nullptr;
  detail::session* s = detail::session::of(*c);
  return s && s->open_for_messages() ? s : nullptr;
}

}  // namespace lwspp::ws
