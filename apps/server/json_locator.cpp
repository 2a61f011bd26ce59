// A minimal JSON tokenizer that only tracks where values start. It trusts
// that the text already parsed (nlohmann::json said so), so it checks little
// and stops at the first thing it does not understand.
#include "json_locator.hpp"

#include <algorithm>
#include <cstdint>

namespace lwspp_server {

class json_locator::scanner {
 public:
  scanner(std::string_view text, json_locator& out) : text_(text), out_(out) {}

  void run() {
    std::vector<frame> stack;
    bool expect_key = false;  // inside an object, before a member's key
    while (skip_space()) {
      const char ch = text_[pos_];
      if (ch == ',') {
        ++pos_;
        expect_key = !stack.empty() && stack.back().object;
        continue;
      }
      if (ch == ':') {
        ++pos_;
        continue;
      }
      if (ch == '}' || ch == ']') {
        ++pos_;
        if (stack.empty()) return;
        stack.pop_back();
        expect_key = false;
        if (stack.empty()) return;
        continue;
      }
      if (expect_key) {
        if (!read_key(stack.back())) return;
        expect_key = false;
        continue;
      }
      if (!read_value(stack)) return;
      expect_key = !stack.empty() && stack.back().object && ch == '{';
      if (stack.empty()) return;  // a scalar at the root: done
    }
  }

 private:
  struct frame {
    bool object;
    std::string pointer;
    std::size_t index = 0;    // arrays: the next element's index
    std::string member = {};  // objects: pointer of the member whose value comes next
  };

  bool read_key(frame& f) {
    if (text_[pos_] != '"') return false;
    const int line = line_;
    std::string key;
    if (!read_string(&key)) return false;
    f.member = child(f.pointer, key);
    out_.record(f.member, line);
    return true;
  }

  // Records the value that starts here and enters it if it is a container.
  bool read_value(std::vector<frame>& stack) {
    std::string pointer;
    if (stack.empty()) {
      out_.record(pointer, line_);
    } else if (stack.back().object) {
      pointer = stack.back().member;  // recorded at its key
    } else {
      pointer = child(stack.back().pointer, stack.back().index++);
      out_.record(pointer, line_);
    }
    const char ch = text_[pos_];
    if (ch == '{' || ch == '[') {
      ++pos_;
      stack.push_back(frame{.object = ch == '{', .pointer = std::move(pointer)});
      return true;
    }
    if (ch == '"') return read_string(nullptr);
    return skip_scalar();
  }

  bool skip_space() {
    while (pos_ < text_.size()) {
      const char ch = text_[pos_];
      if (ch == '\n')
        ++line_;
      else if (ch != ' ' && ch != '\t' && ch != '\r')
        return true;
      ++pos_;
    }
    return false;
  }

  bool skip_scalar() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           std::string_view(",]}: \t\r\n").find(text_[pos_]) == std::string_view::npos)
      ++pos_;
    return pos_ > start;
  }

  // At the opening quote; leaves pos_ after the closing one. Decodes into out
  // when given (keys must match what nlohmann::json decoded).
  bool read_string(std::string* out) {
    ++pos_;
    while (pos_ < text_.size()) {
      const char ch = text_[pos_++];
      if (ch == '"') return true;
      if (ch == '\n') ++line_;
      if (ch != '\\') {
        if (out) out->push_back(ch);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char esc = text_[pos_++];
      if (esc == 'u') {
        if (!read_unicode_escape(out)) return false;
        continue;
      }
      if (!out) continue;
      switch (esc) {
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        default:
          out->push_back(esc);
          break;  // \" \\ \/
      }
    }
    return false;
  }

  bool read_hex4(std::uint32_t& value) {
    if (text_.size() - pos_ < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char ch = text_[pos_++];
      value <<= 4;
      if (ch >= '0' && ch <= '9')
        value |= static_cast<std::uint32_t>(ch - '0');
      else if (ch >= 'a' && ch <= 'f')
        value |= static_cast<std::uint32_t>(ch - 'a' + 10);
      else if (ch >= 'A' && ch <= 'F')
        value |= static_cast<std::uint32_t>(ch - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  // After "\u": one code unit, or a surrogate pair, appended as UTF-8.
  bool read_unicode_escape(std::string* out) {
    std::uint32_t cp = 0;
    if (!read_hex4(cp)) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
      pos_ += 2;
      std::uint32_t low = 0;
      if (!read_hex4(low)) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (out) append_utf8(*out, cp);
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    auto put = [&out](std::uint32_t b) { out.push_back(static_cast<char>(b)); };
    if (cp < 0x80) {
      put(cp);
    } else if (cp < 0x800) {
      put(0xC0 | (cp >> 6));
      put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      put(0xE0 | (cp >> 12));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    } else {
      put(0xF0 | (cp >> 18));
      put(0x80 | ((cp >> 12) & 0x3F));
      put(0x80 | ((cp >> 6) & 0x3F));
      put(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  json_locator& out_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

json_locator::json_locator(std::string_view text) {
  // nlohmann::json skips a UTF-8 byte order mark; so must we, or it reads as a value.
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  if (text.starts_with(bom)) text.remove_prefix(bom.size());
  scanner(text, *this).run();
}

void json_locator::record(std::string pointer, int line) {
  auto [it, fresh] = lines_.try_emplace(std::move(pointer), line);
  if (fresh) return;
  // The later value is the one nlohmann::json keeps, so later errors point there.
  duplicates_.push_back({it->first, it->second, line});
  it->second = line;
}

int json_locator::line_of(std::string_view pointer) const {
  const auto it = lines_.find(std::string(pointer));
  return it == lines_.end() ? 0 : it->second;
}

int json_locator::nearest_line(std::string_view pointer) const {
  for (;;) {
    if (const int line = line_of(pointer)) return line;
    const std::size_t slash = pointer.rfind('/');
    if (slash == std::string_view::npos) return 0;
    pointer = pointer.substr(0, slash);
  }
}

int json_locator::line_at_offset(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, std::min(offset, text.size()));
  return 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
}

std::string json_locator::child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out.push_back('/');
  for (const char ch : key) {
    if (ch == '~')
      out += "~0";
    else if (ch == '/')
      out += "~1";
    else
      out.push_back(ch);
  }
  return out;
}

std::string json_locator::child(std::string_view pointer, std::size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

}  // namespace lwspp_server
