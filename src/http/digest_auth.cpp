// Digest computation (RFC 7616 §3.4): A1, A2, the response, userhash, and
// the Authorization value. Hashes through OpenSSL's EVP interface.
#include "http/digest_auth.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstddef>

#include "h1/syntax.hpp"
#include "util/ascii.hpp"
#include "util/random.hpp"

namespace lwspp::http {

namespace {

struct algorithm_entry {
  std::string_view name;
  digest_algorithm algorithm;
};
constexpr std::array<algorithm_entry, 6> algorithms = {{
    {"MD5", digest_algorithm::md5},
    {"MD5-sess", digest_algorithm::md5_sess},
    {"SHA-256", digest_algorithm::sha256},
    {"SHA-256-sess", digest_algorithm::sha256_sess},
    {"SHA-512-256", digest_algorithm::sha512_256},
    {"SHA-512-256-sess", digest_algorithm::sha512_256_sess},
}};

bool is_sess(digest_algorithm a) noexcept {
  return a == digest_algorithm::md5_sess || a == digest_algorithm::sha256_sess ||
         a == digest_algorithm::sha512_256_sess;
}

const EVP_MD* evp(digest_algorithm a) noexcept {
  switch (a) {
    case digest_algorithm::md5:
    case digest_algorithm::md5_sess:
      return EVP_md5();
    case digest_algorithm::sha256:
    case digest_algorithm::sha256_sess:
      return EVP_sha256();
    case digest_algorithm::sha512_256:
    case digest_algorithm::sha512_256_sess:
      return EVP_sha512_256();
  }
  return nullptr;
}

std::string lower_hex(const unsigned char* p, std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = hex[p[i] >> 4];
    out[2 * i + 1] = hex[p[i] & 15];
  }
  return out;
}

// H(data) as lower-case hex; empty if OpenSSL refuses (MD5 under a FIPS-only
// configuration).
std::string hex_hash(digest_algorithm a, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, evp(a), nullptr) != 1) return {};
  return lower_hex(md, len);
}

// "a:b:c", the RFC's concatenation with ':'.
std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) out += ':';
    out += p;
    first = false;
  }
  return out;
}

// Controls (HTAB included) would break the field or the quoted-string.
bool has_control(std::string_view s) noexcept {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool is_ascii(std::string_view s) noexcept {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// `, name="value"` with '"' and '\' escaped (RFC 9110 §5.6.4).
void append_quoted(std::string& out, std::string_view name, std::string_view value) {
  out += ", ";
  out += name;
  out += "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_plain(std::string& out, std::string_view name, std::string_view value) {
  out += ", ";
  out += name;
  out += '=';
  out += value;
}

// username*=UTF-8''... (RFC 8187 ext-value): attr-chars stay, the rest %XX.
void append_ext_user(std::string& out, std::string_view user) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += ", username*=UTF-8''";
  for (char ch : user) {
    const auto c = static_cast<unsigned char>(ch);
    const bool attr_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') ||
                           std::string_view("!#$&+-.^_`|~").find(ch) != std::string_view::npos;
    if (attr_char) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

// nc: 8 hex digits, big-endian.
std::string nc_hex(std::uint32_t nc) {
  const unsigned char be[4] = {static_cast<unsigned char>(nc >> 24),
                               static_cast<unsigned char>(nc >> 16),
                               static_cast<unsigned char>(nc >> 8), static_cast<unsigned char>(nc)};
  return lower_hex(be, sizeof be);
}

}  // namespace

result<digest_challenge> parse_digest_challenge(const auth_challenge& c) {
  if (!util::iequals(c.scheme, "digest"))
    return error_info(error::invalid_argument, "not a Digest challenge: " + c.scheme);
  digest_challenge d;
  const auto realm = c.param("realm");
  const auto nonce = c.param("nonce");
  if (!realm || !nonce || nonce->empty())
    return error_info(error::invalid_argument, "Digest challenge without realm or nonce");
  d.realm = *realm;
  d.nonce = *nonce;
  if (const auto opaque = c.param("opaque")) d.opaque = std::string(*opaque);
  if (const auto name = c.param("algorithm")) {
    bool known = false;
    for (const auto& a : algorithms) {
      if (util::iequals(*name, a.name)) {
        d.algorithm = a.algorithm;
        known = true;
      }
    }
    if (!known)
      return error_info(error::invalid_argument,
                        "Digest algorithm not supported: " + std::string(*name));
    d.algorithm_name = *name;
  }
  if (const auto qop = c.param("qop")) {
    // A comma-separated list of tokens ("auth, auth-int").
    std::string_view rest = *qop;
    while (!rest.empty() && !d.qop_auth) {
      const std::size_t comma = rest.find(',');
      d.qop_auth = util::iequals(h1::detail::trim_ows(rest.substr(0, comma)), "auth");
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (!d.qop_auth)
      return error_info(
          error::invalid_argument,
          "Digest qop \"" + std::string(*qop) + "\" has no \"auth\" (auth-int is not supported)");
  } else if (is_sess(d.algorithm)) {
    return error_info(error::invalid_argument, "Digest " + d.algorithm_name + " without qop");
  }
  d.userhash = c.param("userhash") && util::iequals(*c.param("userhash"), "true");
  d.stale = c.param("stale") && util::iequals(*c.param("stale"), "true");
  return d;
}

result<std::string> digest_authorization(const digest_challenge& c, const digest_input& in) {
  if (has_control(in.user) || has_control(in.uri) || in.uri.empty())
    return error_info(error::invalid_argument,
                      "Digest: a control character in the user name or uri");
  if (!util::is_token(in.method))
    return error_info(error::invalid_argument, "Digest: the method is not a token");
  if (c.qop_auth && (in.cnonce.empty() || has_control(in.cnonce)))
    return error_info(error::invalid_argument, "Digest: qop needs a cnonce");

  const digest_algorithm a = c.algorithm;
  std::string ha1 = hex_hash(a, join({in.user, c.realm, in.password}));
  if (ha1.empty()) return error_info(error::invalid_argument, "Digest: the hash is not available");
  if (is_sess(a)) ha1 = hex_hash(a, join({ha1, c.nonce, in.cnonce}));
  const std::string ha2 = hex_hash(a, join({in.method, in.uri}));
  const std::string nc = nc_hex(in.nc);
  const std::string response = c.qop_auth
                                   ? hex_hash(a, join({ha1, c.nonce, nc, in.cnonce, "auth", ha2}))
                                   : hex_hash(a, join({ha1, c.nonce, ha2}));

  std::string out = "Digest ";
  if (c.userhash) {
    append_quoted(out, "username", hex_hash(a, join({in.user, c.realm})));
  } else if (is_ascii(in.user)) {
    append_quoted(out, "username", in.user);
  } else {
    append_ext_user(out, in.user);
  }
  out.erase(7, 2);  // the first ", "
  append_quoted(out, "realm", c.realm);
  append_quoted(out, "uri", in.uri);
  if (!c.algorithm_name.empty()) append_plain(out, "algorithm", c.algorithm_name);
  append_quoted(out, "nonce", c.nonce);
  if (c.qop_auth) {
    append_plain(out, "nc", nc);
    append_quoted(out, "cnonce", in.cnonce);
    append_plain(out, "qop", "auth");
  }
  append_quoted(out, "response", response);
  if (c.opaque) append_quoted(out, "opaque", *c.opaque);
  if (c.userhash) append_plain(out, "userhash", "true");
  return out;
}

void digest_session::update(digest_challenge c) {
  if (c.nonce != challenge_.nonce) nc_ = 0;
  challenge_ = std::move(c);
}

void digest_session::next_nonce(std::string nonce) {
  if (nonce == challenge_.nonce) return;
  challenge_.nonce = std::move(nonce);
  nc_ = 0;
}

result<std::string> digest_session::authorization(std::string_view user, std::string_view password,
                                                  std::string_view method, std::string_view uri) {
  if (nc_ == UINT32_MAX)
    return error_info(error::invalid_argument, "Digest: nonce count exhausted");
  // 16 bytes from the CSPRNG as 32 hex digits: no quoting concerns.
  std::array<std::byte, 16> raw;
  util::random_bytes(raw);
  const std::string cnonce =
      lower_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  auto r = digest_authorization(challenge_, {.user = user,
                                             .password = password,
                                             .method = method,
                                             .uri = uri,
                                             .cnonce = cnonce,
                                             .nc = nc_ + 1});
  if (r) ++nc_;
  return r;
}

}  // namespace lwspp::http
