// lwspp::http::method — the request methods the library knows by name.
#pragma once
#include <cstdint>
#include <string_view>

namespace lwspp::http {

enum class method : std::uint8_t {
  other,  // any other token: see request::method_name()
  get,
  head,
  post,
  put,
  delete_,
  connect,
  options,
  trace,
  patch,
};

// "GET", "HEAD", …; "" for other.
std::string_view to_string(method m) noexcept;

}  // namespace lwspp::http
