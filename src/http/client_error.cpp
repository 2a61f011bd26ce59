// The "lwspp.http.client" error category.
#include "lwspp/http_client.hpp"

namespace lwspp::http {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.http.client"; }
  std::string message(int v) const override {
    switch (static_cast<client_error>(v)) {
      case client_error::bad_url:
        return "bad URL";
      case client_error::bad_request:
        return "bad request";
      case client_error::first_byte_timeout:
        return "no response in time";
      case client_error::read_timeout:
        return "the response stalled";
      case client_error::total_timeout:
        return "the request took too long";
      case client_error::bad_response:
        return "malformed response";
      case client_error::truncated:
        return "the response was cut short";
      case client_error::body_too_large:
        return "response body too large";
      case client_error::decode_failed:
        return "cannot decode the response body";
      case client_error::too_many_redirects:
        return "too many redirects";
      case client_error::bad_redirect:
        return "a redirect that cannot be followed";
      case client_error::cancelled:
        return "cancelled";
      case client_error::queue_full:
        return "too many requests waiting";
      case client_error::stopping:
        return "the client is stopping";
    }
    return "unknown HTTP client error";
  }
};

}  // namespace

const std::error_category& client_error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace lwspp::http
