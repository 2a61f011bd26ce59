// A Structured Fields dictionary reader for RFC 9218's two members. See
// priority.hpp. The grammar is RFC 8941 §4.2 (parsing), checked fully so
// that an invalid dictionary is ignored as the RFC asks, while only `u` and
// `i` are kept.
#include "h2/priority.hpp"

#include "util/ascii.hpp"

namespace lwspp::h2 {
namespace {

bool lcalpha(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
bool digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool alpha(char c) noexcept {
  return lcalpha(c) || (c >= 'A' && c <= 'Z');
}
bool base64(char c) noexcept {
  return alpha(c) || digit(c) || c == '+' || c == '/' || c == '=';
}

// What a bare item was, as far as u and i care.
struct item {
  enum kind { integer, boolean, other } k = other;
  long long n = 0;
  bool b = false;
};

class reader {
 public:
  explicit reader(std::string_view s) : s_(s) {}
  bool done() const noexcept { return i_ == s_.size(); }
  char peek() const noexcept { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) noexcept {
    if (peek() != c || done()) return false;
    ++i_;
    return true;
  }
  void skip_sp() noexcept {
    while (!done() && s_[i_] == ' ')
      ++i_;
  }
  void skip_ows() noexcept {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t'))
      ++i_;
  }

  // key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
  bool key(std::string_view& out) noexcept {
    const std::size_t at = i_;
    if (done() || !(lcalpha(s_[i_]) || s_[i_] == '*')) return false;
    ++i_;
    while (!done() && (lcalpha(s_[i_]) || digit(s_[i_]) || s_[i_] == '_' || s_[i_] == '-' ||
                       s_[i_] == '.' || s_[i_] == '*'))
      ++i_;
    out = s_.substr(at, i_ - at);
    return true;
  }

  bool bare_item(item& it) noexcept {
    const char c = peek();
    if (done()) return false;
    if (c == '-' || digit(c)) return number(it);
    if (c == '"') return string();
    if (c == ':') return bytes();
    if (c == '?') return boolean(it);
    if (alpha(c) || c == '*') return token();
    return false;
  }

  // *( ";" *SP key [ "=" bare-item ] )
  bool parameters() noexcept {
    while (eat(';')) {
      skip_sp();
      std::string_view k;
      if (!key(k)) return false;
      item ignored;
      if (eat('=') && !bare_item(ignored)) return false;
    }
    return true;
  }

  // "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters
  bool inner_list() noexcept {
    if (!eat('(')) return false;
    for (;;) {
      skip_sp();
      if (eat(')')) return parameters();
      item ignored;
      if (!bare_item(ignored) || !parameters()) return false;
      if (peek() != ' ' && peek() != ')') return false;
    }
  }

 private:
  bool number(item& it) noexcept {
    const bool negative = eat('-');
    std::size_t digits = 0;
    long long n = 0;
    while (!done() && digit(s_[i_])) {
      if (++digits > 15) return false;  // sf-integer: at most 15 digits
      n = n * 10 + (s_[i_++] - '0');
    }
    if (digits == 0) return false;
    if (eat('.')) {  // a decimal: 12 integer digits, 1 to 3 fraction digits
      if (digits > 12) return false;
      std::size_t frac = 0;
      while (!done() && digit(s_[i_])) {
        ++i_;
        ++frac;
      }
      if (frac == 0 || frac > 3) return false;
      it.k = item::other;
      return true;
    }
    it.k = item::integer;
    it.n = negative ? -n : n;
    return true;
  }
  bool string() noexcept {
    ++i_;  // the opening quote
    while (!done()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (done() || (s_[i_] != '"' && s_[i_] != '\\')) return false;
        ++i_;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return false;
      }
    }
    return false;  // no closing quote
  }
  bool bytes() noexcept {
    ++i_;
    while (!done() && base64(s_[i_]))
      ++i_;
    return eat(':');
  }
  bool boolean(item& it) noexcept {
    ++i_;
    if (eat('0')) {
      it = {item::boolean, 0, false};
      return true;
    }
    if (eat('1')) {
      it = {item::boolean, 0, true};
      return true;
    }
    return false;
  }
  bool token() noexcept {
    ++i_;
    while (!done() && (util::is_tchar(s_[i_]) || s_[i_] == ':' || s_[i_] == '/'))
      ++i_;
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

priority parse_priority(std::string_view value, priority base) noexcept {
  reader r(value);
  item u, i;  // the last of each (§3.2: a later member replaces an earlier one)
  r.skip_sp();
  if (r.done()) return base;  // an empty field: nothing set
  for (;;) {
    std::string_view k;
    if (!r.key(k)) return base;
    item v{item::boolean, 0, true};  // a key alone is the boolean true
    if (r.eat('=')) {
      if (r.peek() == '(') {
        if (!r.inner_list()) return base;
        v = {};
      } else if (!r.bare_item(v) || !r.parameters()) {
        return base;
      }
    } else if (!r.parameters()) {
      return base;
    }
    if (k == "u") u = v;
    if (k == "i") i = v;
    r.skip_ows();
    if (r.done()) break;
    if (!r.eat(',')) return base;
    r.skip_ows();
    if (r.done()) return base;  // a trailing comma
  }
  priority p = base;
  if (u.k == item::integer && u.n >= 0 && u.n <= 7) p.urgency = static_cast<std::uint8_t>(u.n);
  if (i.k == item::boolean) p.incremental = i.b;
  return p;
}

}  // namespace lwspp::h2
