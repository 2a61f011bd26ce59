// The client side of HTTP authentication as a command, for
// tests/interop/http_digest.sh (there is no lwspp HTTP client yet to drive):
//
//   http_auth_tool USER PASSWORD METHOD URI COUNT < fields
//
// stdin holds the WWW-Authenticate field values of a 401, one per line. The
// tool parses them, picks the challenge to answer, and prints COUNT
// Authorization values for it, one per line: for Digest, successive
// requests of one digest_session (nc 1, 2, ...; a new cnonce each); for
// Basic, the same value COUNT times. Exit 1 with the reason on stderr.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "http/auth_challenge.hpp"
#include "http/basic_auth.hpp"
#include "http/digest_auth.hpp"
#include "util/ascii.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: http_auth_tool USER PASSWORD METHOD URI COUNT < fields\n";
    return 2;
  }
  const std::string user = argv[1], password = argv[2], method = argv[3], uri = argv[4];
  const int count = std::atoi(argv[5]);

  // Several fields of one response are one list (RFC 9110 §5.3).
  std::string joined, line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!joined.empty()) joined += ", ";
    joined += line;
  }
  auto challenges = lwspp::http::parse_challenges(joined);
  if (!challenges) {
    std::cerr << challenges.error().message() << "\n";
    return 1;
  }
  const lwspp::http::auth_challenge* best = lwspp::http::pick_challenge(*challenges);
  if (!best) {
    std::cerr << "no challenge this client can answer in: " << joined << "\n";
    return 1;
  }
  if (lwspp::util::iequals(best->scheme, "basic")) {
    auto a = lwspp::http::basic_authorization(user, password);
    if (!a) {
      std::cerr << a.error().message() << "\n";
      return 1;
    }
    for (int i = 0; i < count; ++i)
      std::cout << *a << "\n";
    return 0;
  }
  auto d = lwspp::http::parse_digest_challenge(*best);
  if (!d) {
    std::cerr << d.error().message() << "\n";
    return 1;
  }
  lwspp::http::digest_session session(std::move(*d));
  for (int i = 0; i < count; ++i) {
    auto a = session.authorization(user, password, method, uri);
    if (!a) {
      std::cerr << a.error().message() << "\n";
      return 1;
    }
    std::cout << *a << "\n";
  }
  return 0;
}
