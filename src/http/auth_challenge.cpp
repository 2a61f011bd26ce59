// Challenge parsing (RFC 9110 §11.2, §11.6.1) and the choice among them.
#include "http/auth_challenge.hpp"

#include "http/digest_auth.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {

namespace {

constexpr bool is_token68_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

class challenge_parser {
 public:
  explicit challenge_parser(std::string_view s) : s_(s) {}

  result<std::vector<auth_challenge>> run() {
    std::vector<auth_challenge> out;
    for (;;) {
      skip_list_separators();
      if (at_end()) break;
      auth_challenge c;
      c.scheme = token();
      if (c.scheme.empty()) return fail("an auth-scheme");
      if (!at_end() && s_[pos_] != ',' && s_[pos_] != ' ' && s_[pos_] != '\t')
        return fail("a space or ',' after the auth-scheme");
      skip_ows();
      if (auto r = challenge_body(c); !r) return r.error();
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  // After the scheme: a token68, auth-params, or nothing. Leaves pos_ at the
  // ',' that ends the challenge (or at the end).
  result<void> challenge_body(auth_challenge& c) {
    if (at_end() || s_[pos_] == ',') return {};
    if (const std::size_t end = token68_end(); end != 0) {
      c.token68.assign(s_.substr(pos_, end - pos_));
      pos_ = end;
      skip_ows();
      if (!at_end() && s_[pos_] != ',') return fail("',' after the token68");
      return {};
    }
    for (;;) {
      auth_param p;
      p.name = token();
      if (p.name.empty()) return fail("an auth-param name");
      skip_ows();
      if (at_end() || s_[pos_] != '=') return fail("'=' after the auth-param name");
      ++pos_;
      skip_ows();
      if (auto r = param_value(p.value); !r) return r;
      c.params.push_back(std::move(p));
      skip_ows();
      if (at_end()) return {};
      if (s_[pos_] != ',') return fail("',' between auth-params");
      // A ',' either precedes this challenge's next auth-param or the next
      // challenge (empty list elements allowed in between).
      const std::size_t comma = pos_;
      skip_list_separators();
      if (at_end()) return {};
      const std::size_t name_start = pos_;
      const std::string next = token();
      skip_ows();
      const bool is_param = !next.empty() && !at_end() && s_[pos_] == '=';
      if (!is_param) {
        pos_ = comma;  // the next challenge (or a parse error the caller reports)
        return {};
      }
      pos_ = name_start;
    }
  }

  // If a token68 starts at pos_ and is followed by OWS and ',' or the end,
  // where it ends; else 0. ("realm=x" is an auth-param: after the '='s
  // comes a value, not the end.)
  std::size_t token68_end() const noexcept {
    std::size_t i = pos_;
    while (i < s_.size() && is_token68_char(s_[i]))
      ++i;
    if (i == pos_) return 0;
    while (i < s_.size() && s_[i] == '=')
      ++i;
    std::size_t j = i;
    while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t'))
      ++j;
    return (j == s_.size() || s_[j] == ',') ? i : 0;
  }

  result<void> param_value(std::string& out) {
    if (at_end()) return fail("an auth-param value");
    if (s_[pos_] != '"') {
      out = token();
      if (out.empty()) return fail("a token or quoted-string value");
      return {};
    }
    ++pos_;
    while (!at_end()) {
      char c = s_[pos_++];
      if (c == '"') return {};
      if (c == '\\') {
        if (at_end()) break;
        c = s_[pos_++];
      }
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        return fail("no control character in a quoted-string");
      out += c;
    }
    return fail("the closing '\"' of a quoted-string");
  }

  std::string token() {
    const std::size_t start = pos_;
    while (!at_end() && util::is_tchar(s_[pos_]))
      ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  void skip_ows() noexcept {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t'))
      ++pos_;
  }
  void skip_list_separators() noexcept {
    while (!at_end() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == ','))
      ++pos_;
  }
  bool at_end() const noexcept { return pos_ >= s_.size(); }

  error_info fail(std::string_view expected) const {
    return error_info(error::protocol_error, "authentication challenge: expected " +
                                                 std::string(expected) + " at offset " +
                                                 std::to_string(pos_));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// 0: not answerable; Basic 1; Digest by hash strength.
int rank(const auth_challenge& c) noexcept {
  if (util::iequals(c.scheme, "basic")) return 1;
  if (!util::iequals(c.scheme, "digest")) return 0;
  const auto d = parse_digest_challenge(c);
  if (!d) return 0;
  switch (d->algorithm) {
    case digest_algorithm::md5:
    case digest_algorithm::md5_sess:
      return 2;
    case digest_algorithm::sha256:
    case digest_algorithm::sha256_sess:
      return 3;
    case digest_algorithm::sha512_256:
    case digest_algorithm::sha512_256_sess:
      return 4;
  }
  return 0;
}

}  // namespace

std::optional<std::string_view> auth_challenge::param(std::string_view name) const noexcept {
  for (const auth_param& p : params)
    if (util::iequals(p.name, name)) return std::string_view(p.value);
  return std::nullopt;
}

result<std::vector<auth_challenge>> parse_challenges(std::string_view field_value) {
  return challenge_parser(field_value).run();
}

const auth_challenge* pick_challenge(std::span<const auth_challenge> challenges) {
  const auth_challenge* best = nullptr;
  int best_rank = 0;
  for (const auth_challenge& c : challenges) {
    const int r = rank(c);
    if (r > best_rank) {
      best = &c;
      best_rank = r;
    }
  }
  return best;
}

}  // namespace lwspp::http
