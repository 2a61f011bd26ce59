// libFuzzer target for WWW-Authenticate parsing and the Digest answer
// (src/http/auth_challenge.cpp, digest_auth.cpp). The input is a field value.
//
// Invariants:
//  - a parse error has a detail naming the offset; a success gives schemes
//    and parameter names that are tokens, and either a token68 or params;
//  - pick_challenge returns one of the challenges, Basic or an answerable
//    Digest;
//  - every Digest challenge that parse_digest_challenge accepts is answered
//    (fixed credentials), the answer is a valid field value, and it parses
//    back (same grammar) into one Digest with the challenge's realm, nonce
//    and opaque unchanged (quoting round-trips), nc and qop as sent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/auth_challenge.hpp"
#include "http/digest_auth.hpp"
#include "util/ascii.hpp"

namespace {

using namespace lwspp::http;

void check_answer(const digest_challenge& d) {
  auto a = digest_authorization(d, {.user = "user\"\\x",
                                    .password = "pw",
                                    .method = "GET",
                                    .uri = "/a?b=\"c\"",
                                    .cnonce = "0a4f113b",
                                    .nc = 7});
  if (!a || !lwspp::util::is_field_value(*a)) std::abort();
  auto back = parse_challenges(*a);
  if (!back || back->size() != 1) std::abort();
  const auth_challenge& c = (*back)[0];
  if (c.scheme != "Digest" || c.param("realm") != d.realm || c.param("nonce") != d.nonce)
    std::abort();
  if (d.opaque && c.param("opaque") != *d.opaque) std::abort();
  if (d.qop_auth && (c.param("nc") != "00000007" || c.param("qop") != "auth")) std::abort();
  if (!d.userhash && c.param("username") != "user\"\\x") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_challenges(input);
  if (!parsed) {
    if (parsed.error().detail.find("at offset") == std::string::npos) std::abort();
    return 0;
  }
  for (const auth_challenge& c : *parsed) {
    if (!lwspp::util::is_token(c.scheme)) std::abort();
    if (!c.token68.empty() && !c.params.empty()) std::abort();
    for (const auth_param& p : c.params)
      if (!lwspp::util::is_token(p.name)) std::abort();
    if (auto d = parse_digest_challenge(c)) check_answer(*d);
  }
  if (const auth_challenge* best = pick_challenge(*parsed)) {
    if (best < parsed->data() || best >= parsed->data() + parsed->size()) std::abort();
    const bool basic = lwspp::util::iequals(best->scheme, "basic");
    if (!basic && !parse_digest_challenge(*best)) std::abort();
  }
  return 0;
}
