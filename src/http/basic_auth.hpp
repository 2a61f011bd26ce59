// Basic authentication (RFC 7617): a credentials file loaded once, and the
// check of a request's Authorization header against it (server side); the
// Authorization value a client sends.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lwspp/result.hpp"

namespace lwspp::http {

struct credentials {
  std::string realm;
  std::vector<std::pair<std::string, std::string>> users;  // user, password
};

// Reads "user:password" lines ('#' comments and blank lines skipped).
// Errors: unreadable file, a line without ':', no users at all.
result<credentials> load_credentials(const std::string& path, std::string realm);

// The user name if `authorization` ("Basic <base64>") names a known user with
// the right password; empty otherwise. The password comparison takes the
// same time wherever the first difference is.
std::string_view check_basic(const credentials& c, std::string_view authorization);

// "Basic " + base64(user ":" password), the bytes as given (UTF-8 is what
// servers asking charset="UTF-8" expect). Errors (invalid_argument): a ':'
// in the user name (RFC 7617 §2: the server would split there), a control
// character in either.
result<std::string> basic_authorization(std::string_view user, std::string_view password);

}  // namespace lwspp::http
