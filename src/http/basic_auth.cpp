// Basic authentication: credentials file and header check.
#include "http/basic_auth.hpp"

#include <fstream>

#include "util/base64.hpp"

namespace lwspp::http {

namespace {

// Compares without an early exit, so timing does not reveal how much of a
// password matched. (The length still shows; passwords are not padded.)
bool same_bytes(std::string_view a, std::string_view b) noexcept {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i)
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

}  // namespace

result<credentials> load_credentials(const std::string& path, std::string realm) {
  std::ifstream in(path);
  if (!in) return error_info(error::invalid_argument, "cannot read credentials file " + path);
  credentials c;
  c.realm = std::move(realm);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return error_info(error::invalid_argument,
                        path + ":" + std::to_string(number) + ": expected user:password");
    c.users.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  if (c.users.empty()) return error_info(error::invalid_argument, path + ": no users");
  return c;
}

std::string_view check_basic(const credentials& c, std::string_view authorization) {
  // Scheme names are case-insensitive (RFC 9110 §11.1).
  if (authorization.size() < 6) return {};
  std::string scheme(authorization.substr(0, 6));
  for (char& ch : scheme)
    ch = static_cast<char>(ch | 0x20);
  if (scheme != "basic ") return {};
  std::string_view token = authorization.substr(6);
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  std::string decoded;
  if (!util::base64_decode(token, decoded)) return {};
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) return {};
  const std::string_view user = std::string_view(decoded).substr(0, colon);
  const std::string_view pass = std::string_view(decoded).substr(colon + 1);
  std::string_view found;
  for (const auto& [u, p] : c.users) {
    // Check every entry, so the time does not depend on which user matched.
    const bool ok = static_cast<int>(same_bytes(u, user)) & static_cast<int>(same_bytes(p, pass));
    if (ok && found.empty()) found = u;
  }
  return found;
}

result<std::string> basic_authorization(std::string_view user, std::string_view password) {
  if (user.find(':') != std::string_view::npos)
    return error_info(error::invalid_argument, "Basic: the user name contains ':'");
  for (std::string_view s : {user, password}) {
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c == 0x7f)
        return error_info(error::invalid_argument, "Basic: a control character in the credentials");
    }
  }
  std::string plain;
  plain.reserve(user.size() + 1 + password.size());
  plain.append(user).append(1, ':').append(password);
  std::string out = "Basic ";
  util::base64_encode(plain, out);
  return out;
}

}  // namespace lwspp::http
