// Basic authentication (RFC 7617): a credentials file loaded once, and the
// check of a request's Authorization header against it.
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

}  // namespace lwspp::http
