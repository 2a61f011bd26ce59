// The language of the WebSocket conformance cases (tests/unit/ws/cases/*.txt,
// described in docs/ws-codec.md): payload tokens, frame lines, and the
// canonical text of a payload in an event log. Frames are built here by a
// small encoder of the test's own, not by the writer under test, and
// compressed payloads by zlib directly.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ws_case {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a line into words; a "quoted string" (with \" inside) is one word,
// kept with its quotes and prefix (z:"a b" stays whole).
inline std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      cur += c;
      if (c == '\\' && i + 1 < line.size()) {
        cur += line[++i];
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
      quoted = c == '"';
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// "..." with \r \n \t \\ \" \xNN.
inline bool unquote(std::string_view w, std::string& out) {
  if (w.size() < 2 || w.front() != '"' || w.back() != '"') return false;
  w = w.substr(1, w.size() - 2);
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] != '\\') {
      out += w[i];
      continue;
    }
    if (++i == w.size()) return false;
    switch (w[i]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
      case '"':
        out += w[i];
        break;
      case 'x': {
        const int hi = i + 1 < w.size() ? hex_value(w[i + 1]) : -1;
        const int lo = i + 2 < w.size() ? hex_value(w[i + 2]) : -1;
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

inline bool unhex(std::string_view h, std::string& out) {
  std::string digits;
  for (char c : h)
    if (c != ' ' && c != '_') digits += c;
  if (digits.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    const int hi = hex_value(digits[i]);
    const int lo = hex_value(digits[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

// The test's own permessage-deflate compressor (zlib, raw, sync flush).
class compressor {
 public:
  void configure(int window_bits, bool no_context) {
    window_bits_ = window_bits < 9 ? 9 : window_bits;
    no_context_ = no_context;
    end();
  }
  ~compressor() { end(); }
  std::string message(std::string_view in) {
    if (!ready_) {
      z_ = {};
      deflateInit2(&z_, 6, Z_DEFLATED, -window_bits_, 8, Z_DEFAULT_STRATEGY);
      ready_ = true;
    }
    std::string out(in.size() + in.size() / 8 + 64, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    out.resize(out.size() - z_.avail_out);
    if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string("\0\0\xff\xff", 4)) == 0)
      out.resize(out.size() - 4);
    if (no_context_) end();
    return out;
  }

 private:
  void end() {
    if (ready_) deflateEnd(&z_);
    ready_ = false;
  }
  z_stream z_{};
  int window_bits_ = 15;
  bool no_context_ = false;
  bool ready_ = false;
};

struct context {
  compressor z;
  std::map<std::string, std::string> blobs;
};

// One payload token: "...", hex:..., rep:N:<token>, code:N, z:<token>,
// @name or @name[a:b].
inline bool payload_token(std::string_view w, context& cx, std::string& out) {
  if (!w.empty() && w.front() == '"') return unquote(w, out);
  if (w.rfind("hex:", 0) == 0) return unhex(w.substr(4), out);
  if (w.rfind("code:", 0) == 0) {
    const unsigned long v = std::stoul(std::string(w.substr(5)));
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
    return true;
  }
  if (w.rfind("rep:", 0) == 0) {
    const std::size_t colon = w.find(':', 4);
    if (colon == std::string_view::npos) return false;
    const std::size_t n = std::stoul(std::string(w.substr(4, colon - 4)));
    std::string unit;
    if (!payload_token(w.substr(colon + 1), cx, unit)) return false;
    for (std::size_t i = 0; i < n; ++i)
      out += unit;
    return true;
  }
  if (w.rfind("z:", 0) == 0) {
    std::string plain;
    if (!payload_token(w.substr(2), cx, plain)) return false;
    out += cx.z.message(plain);
    return true;
  }
  if (!w.empty() && w.front() == '@') {
    const std::size_t br = w.find('[');
    const std::string name(w.substr(1, br == std::string_view::npos ? w.npos : br - 1));
    const auto it = cx.blobs.find(name);
    if (it == cx.blobs.end()) return false;
    if (br == std::string_view::npos) {
      out += it->second;
      return true;
    }
    const std::size_t colon = w.find(':', br);
    if (colon == std::string_view::npos || w.back() != ']') return false;
    const std::string a(w.substr(br + 1, colon - br - 1));
    const std::string b(w.substr(colon + 1, w.size() - colon - 2));
    const std::size_t from = a.empty() ? 0 : std::stoul(a);
    const std::size_t to = b.empty() ? it->second.size() : std::stoul(b);
    if (from > to || to > it->second.size()) return false;
    out += it->second.substr(from, to - from);
    return true;
  }
  return false;
}

inline bool payload(const std::vector<std::string>& ws, std::size_t from, context& cx,
                    std::string& out) {
  for (std::size_t i = from; i < ws.size(); ++i)
    if (!payload_token(ws[i], cx, out)) return false;
  return true;
}

// A frame line: flags, then payload tokens. `client_frames`: the default
// is to mask (frames a server receives).
inline bool frame(const std::vector<std::string>& ws, bool client_frames, context& cx,
                  std::string& out, std::string& problem) {
  unsigned op = 0;
  bool fin = false, rsv1 = false, rsv2 = false, rsv3 = false, masked = client_frames;
  std::uint32_t key = 0x37fa213d;
  long long len = -1;
  int force = 0;  // 16 or 64: the length encoding to use
  std::size_t i = 1;
  for (; i < ws.size(); ++i) {
    const std::string& w = ws[i];
    if (w == "fin") {
      fin = true;
    } else if (w == "text") {
      op = 1;
    } else if (w == "binary") {
      op = 2;
    } else if (w == "cont") {
      op = 0;
    } else if (w == "close") {
      op = 8;
    } else if (w == "ping") {
      op = 9;
    } else if (w == "pong") {
      op = 10;
    } else if (w.rfind("op=", 0) == 0) {
      op = static_cast<unsigned>(std::stoul(w.substr(3)));
    } else if (w == "rsv1") {
      rsv1 = true;
    } else if (w == "rsv2") {
      rsv2 = true;
    } else if (w == "rsv3") {
      rsv3 = true;
    } else if (w == "mask") {
      masked = true;
    } else if (w.rfind("mask=", 0) == 0) {
      masked = true;
      key = static_cast<std::uint32_t>(std::stoul(w.substr(5), nullptr, 16));
    } else if (w == "nomask") {
      masked = false;
    } else if (w.rfind("len=", 0) == 0) {
      len = std::stoll(w.substr(4));
    } else if (w == "len16") {
      force = 16;
    } else if (w == "len64") {
      force = 64;
    } else {
      break;
    }
  }
  std::string body;
  if (!payload(ws, i, cx, body)) {
    problem = "bad payload";
    return false;
  }
  const std::uint64_t n = len >= 0 ? static_cast<std::uint64_t>(len) : body.size();
  out += static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) |
                           (rsv3 ? 0x10 : 0) | (op & 0x0F));
  const char m = masked ? static_cast<char>(0x80) : 0;
  if (force == 0 && n < 126) {
    out += static_cast<char>(m | static_cast<char>(n));
  } else if (force == 16 || (force == 0 && n <= 0xFFFF)) {
    out += static_cast<char>(m | 126);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(m | 127);
    for (int s = 56; s >= 0; s -= 8)
      out += static_cast<char>((n >> s) & 0xFF);
  }
  if (masked) {
    const unsigned char k[4] = {
        static_cast<unsigned char>(key >> 24), static_cast<unsigned char>(key >> 16),
        static_cast<unsigned char>(key >> 8), static_cast<unsigned char>(key)};
    for (unsigned char b : k)
      out += static_cast<char>(b);
    for (std::size_t j = 0; j < body.size(); ++j)
      body[j] = static_cast<char>(body[j] ^ static_cast<char>(k[j % 4]));
  }
  out += body;
  return true;
}

// The canonical text of a payload in a log: quoted and escaped when short,
// else its length and FNV-1a hash.
inline std::string show(std::string_view p) {
  if (p.size() > 64) {
    std::uint32_t h = 2166136261u;
    for (char c : p)
      h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    char buf[48];
    std::snprintf(buf, sizeof buf, "<%zu bytes fnv=%08x>", p.size(), h);
    return buf;
  }
  std::string out = "\"";
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace ws_case
