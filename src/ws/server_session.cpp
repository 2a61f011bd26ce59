#include "ws/server_session.hpp"

namespace lwspp::ws::detail {
namespace {
thread_local const http::request* upgrading = nullptr;
}  // namespace

void server_session::start(const agreement& a, const http::request& req, std::string_view rest) {
  upgrading = &req;
  begin(a);
  upgrading = nullptr;
  feed_rest(rest);
}

const http::request* server_session::current_request() noexcept {
  return upgrading;
}

}  // namespace lwspp::ws::detail

namespace lwspp::ws {

const http::request* socket::upgrade_request() const noexcept {
  return detail::server_session::current_request();
}

}  // namespace lwspp::ws
