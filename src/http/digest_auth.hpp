// HTTP Digest access authentication, client side (RFC 7616): the challenge's
// parameters, the Authorization (or Proxy-Authorization) value, and the
// per-realm state a client keeps between requests (nonce and nonce count).
//
// Supported: MD5, SHA-256, SHA-512-256 and their -sess variants; qop "auth"
// and servers that send no qop (RFC 2069 style, not with -sess); userhash;
// opaque echoed; non-ASCII user names as username* (RFC 8187). Not
// supported: qop "auth-int" (a challenge that offers only auth-int is
// refused: it would need the whole request body hashed before sending).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/auth_challenge.hpp"
#include "lwspp/result.hpp"

namespace lwspp::http {

enum class digest_algorithm { md5, md5_sess, sha256, sha256_sess, sha512_256, sha512_256_sess };

struct digest_challenge {
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;  // echoed when given
  digest_algorithm algorithm = digest_algorithm::md5;
  std::string algorithm_name;  // as the server spelled it, echoed; empty when absent (MD5)
  bool qop_auth = false;       // "auth" offered; false: no qop (then no cnonce and nc)
  bool userhash = false;       // the server accepts a hashed user name; we then send one
  bool stale = false;          // the previous nonce expired; the credentials were right
};

// The parameters of a Digest challenge. Errors (lwspp::error::invalid_argument):
// not Digest, no realm or nonce, an unknown algorithm, a qop list without
// "auth", a -sess algorithm without qop.
result<digest_challenge> parse_digest_challenge(const auth_challenge& c);

// One answer. `uri` is the request-target exactly as sent on the request
// line; `cnonce` and `nc` are chosen by the caller (digest_session picks
// them).
struct digest_input {
  std::string_view user = {};
  std::string_view password = {};
  std::string_view method = {};
  std::string_view uri = {};
  std::string_view cnonce = {};
  std::uint32_t nc = 1;
};

// The field value: `Digest username="...", realm="...", ...`. Errors
// (invalid_argument): a control character in the user name or uri, a method
// that is not a token, an empty cnonce when qop is used.
result<std::string> digest_authorization(const digest_challenge& c, const digest_input& in);

// What a client keeps per realm (per server or proxy): the challenge, and
// how many requests used its nonce. Each authorization() gets a new random
// cnonce and the next nc (RFC 7616 §3.4: the server may check that nc only
// grows).
class digest_session {
 public:
  explicit digest_session(digest_challenge c) : challenge_(std::move(c)) {}

  // A later challenge for this realm (a 401 with stale=true, or a new one):
  // a different nonce restarts the count.
  void update(digest_challenge c);
  // Authentication-Info's nextnonce (RFC 7616 §3.5).
  void next_nonce(std::string nonce);

  result<std::string> authorization(std::string_view user, std::string_view password,
                                    std::string_view method, std::string_view uri);

  const digest_challenge& challenge() const noexcept { return challenge_; }
  std::uint32_t nonce_count() const noexcept { return nc_; }  // of the last authorization

 private:
  digest_challenge challenge_;
  std::uint32_t nc_ = 0;
};

}  // namespace lwspp::http
