// application/x-www-form-urlencoded: a byte-at-a-time state machine (the
// state is three small fields), so a chunk may end anywhere, even between
// the '%' and the two hex digits of an escape.
#include <string>

#include "lwspp/http_form.hpp"
#include "util/ascii.hpp"

namespace lwspp::http {
namespace {}  // namespace

urlencoded_parser::urlencoded_parser(field_handler on_field, urlencoded_limits limits,
                                     urlencoded_leniency lenient)
    : on_field_(std::move(on_field)), limits_(limits), lenient_(lenient) {}

result<void> urlencoded_parser::fail(form_error e, std::uint64_t at, const char* what) {
  failed_ = true;
  error_ = error_info(e, std::string(what) + " at byte " + std::to_string(at));
  return error_;
}

result<void> urlencoded_parser::append(char c) {
  if (in_value_) {
    if (value_.size() >= limits_.max_value) {
      return fail(form_error::value_too_long, offset_, "value longer than max_value");
    }
    value_.push_back(c);
  } else {
    if (name_.size() >= limits_.max_name) {
      return fail(form_error::name_too_long, offset_, "name longer than max_name");
    }
    name_.push_back(c);
  }
  return {};
}

result<void> urlencoded_parser::end_pair() {
  if (pair_started_) {
    if (fields_ >= limits_.max_fields) {
      return fail(form_error::too_many_fields, offset_, "more than max_fields pairs");
    }
    ++fields_;
    if (on_field_) on_field_(name_, value_);
  }
  name_.clear();
  value_.clear();
  in_value_ = false;
  pair_started_ = false;
  return {};
}

result<void> urlencoded_parser::feed(std::string_view chunk) {
  if (failed_) return error_;
  if (finished_) return fail(form_error::malformed, offset_, "feed after finish");
  for (std::size_t i = 0; i < chunk.size(); ++i, ++offset_) {
    const char c = chunk[i];
    if (pct_ != 0) {
      const int v = util::hex_digit(c);
      if (v >= 0 && pct_ == 1) {
        pct_hi_ = c;
        pct_ = 2;
        continue;
      }
      if (v >= 0) {
        pct_ = 0;
        if (auto r = append(static_cast<char>(util::hex_digit(pct_hi_) * 16 + v)); !r) return r;
        continue;
      }
      if (!lenient_.keep_bad_percent) {
        return fail(form_error::bad_percent_encoding, pct_offset_, "'%' without two hex digits");
      }
      // Lenient: the '%' (and its one hex digit) are ordinary bytes; `c` is
      // handled below as usual.
      const std::uint8_t held = pct_;
      pct_ = 0;
      if (auto r = append('%'); !r) return r;
      if (held == 2) {
        if (auto r = append(pct_hi_); !r) return r;
      }
    }
    switch (c) {
      case '&':
        if (auto r = end_pair(); !r) return r;
        break;
      case '=':
        pair_started_ = true;
        if (!in_value_) {
          in_value_ = true;
        } else if (auto r = append('='); !r) {
          return r;
        }
        break;
      case '%':
        pair_started_ = true;
        pct_ = 1;
        pct_offset_ = offset_;
        break;
      case '+':
        pair_started_ = true;
        if (auto r = append(' '); !r) return r;
        break;
      default:
        pair_started_ = true;
        if (auto r = append(c); !r) return r;
        break;
    }
  }
  return {};
}

result<void> urlencoded_parser::finish() {
  if (failed_) return error_;
  if (finished_) return {};
  if (pct_ != 0) {
    if (!lenient_.keep_bad_percent) {
      return fail(form_error::bad_percent_encoding, pct_offset_, "'%' without two hex digits");
    }
    if (auto r = append('%'); !r) return r;
    if (pct_ == 2) {
      if (auto r = append(pct_hi_); !r) return r;
    }
    pct_ = 0;
  }
  if (auto r = end_pair(); !r) return r;
  finished_ = true;
  return {};
}

result<std::vector<std::pair<std::string, std::string>>> parse_urlencoded(
    std::string_view text, urlencoded_limits limits, urlencoded_leniency lenient) {
  std::vector<std::pair<std::string, std::string>> pairs;
  urlencoded_parser p(
      [&pairs](std::string_view name, std::string_view value) {
        pairs.emplace_back(std::string(name), std::string(value));
      },
      limits, lenient);
  if (auto r = p.feed(text); !r) return r.error();
  if (auto r = p.finish(); !r) return r.error();
  return pairs;
}

void append_urlencoded(std::string& out, std::string_view name, std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  auto encode = [&out](std::string_view s) {
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' ||
          c == '-' || c == '.' || c == '_') {
        out.push_back(ch);
      } else if (c == ' ') {
        out.push_back('+');
      } else {
        out.push_back('%');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
    }
  };
  if (!out.empty()) out.push_back('&');
  encode(name);
  out.push_back('=');
  encode(value);
}

}  // namespace lwspp::http
