// lwspp::http::to_string(method): the method tokens by name.
#include "lwspp/http_method.hpp"

namespace lwspp::http {

std::string_view to_string(method m) noexcept {
  switch (m) {
    case method::get:
      return "GET";
    case method::head:
      return "HEAD";
    case method::post:
      return "POST";
    case method::put:
      return "PUT";
    case method::delete_:
      return "DELETE";
    case method::connect:
      return "CONNECT";
    case method::options:
      return "OPTIONS";
    case method::trace:
      return "TRACE";
    case method::patch:
      return "PATCH";
    case method::other:
      break;
  }
  return {};
}

}  // namespace lwspp::http
