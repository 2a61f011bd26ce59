// A WebSocket client for the loopback tests, on a plain blocking socket:
// the handshake request and every frame are the test's own bytes (its own
// encoder and masking, independent of src/ws/), so a test can send exactly
// what it wants, malformed included.
#pragma once

#include <poll.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace test {

enum : std::uint8_t {
  op_cont = 0,
  op_text = 1,
  op_binary = 2,
  op_close = 8,
  op_ping = 9,
  op_pong = 10,
};

struct frame {
  std::uint8_t op = 0;
  bool fin = false;
  bool rsv1 = false;
  bool masked = false;
  std::string payload;
  std::uint16_t close_code() const {
    return payload.size() >= 2
               ? static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                            static_cast<unsigned char>(payload[1]))
               : 1005;
  }
  std::string close_reason() const { return payload.size() > 2 ? payload.substr(2) : ""; }
};

// The head of a frame: FIN/RSV/opcode, mask bit, length in its shortest form
// (or the form `len_bytes` forces: 0 shortest, 2 or 8), then the key.
inline std::string frame_head(std::uint8_t op, bool fin, std::uint64_t len, bool mask,
                              const unsigned char key[4], bool rsv1 = false, int len_bytes = 0) {
  std::string h;
  h += static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (op & 0x0f));
  const char m = mask ? static_cast<char>(0x80) : 0;
  if (len_bytes == 0) len_bytes = len < 126 ? 0 : len <= 0xffff ? 2 : 8;
  if (len_bytes == 0 && len < 126) {
    h += static_cast<char>(m | static_cast<char>(len));
  } else if (len_bytes == 2) {
    h += static_cast<char>(m | 126);
    h += static_cast<char>((len >> 8) & 0xff);
    h += static_cast<char>(len & 0xff);
  } else {
    h += static_cast<char>(m | 127);
    for (int i = 7; i >= 0; --i)
      h += static_cast<char>((len >> (8 * i)) & 0xff);
  }
  if (mask) h.append(reinterpret_cast<const char*>(key), 4);
  return h;
}

inline std::string frame_bytes(std::uint8_t op, std::string_view payload, bool fin = true,
                               bool mask = true, bool rsv1 = false) {
  static thread_local std::mt19937 rng(12345);
  unsigned char key[4];
  for (unsigned char& k : key)
    k = static_cast<unsigned char>(rng());
  std::string out = frame_head(op, fin, payload.size(), mask, key, rsv1);
  const std::size_t at = out.size();
  out.append(payload);
  if (mask)
    for (std::size_t i = 0; i < payload.size(); ++i)
      out[at + i] = static_cast<char>(out[at + i] ^ key[i % 4]);
  return out;
}

inline std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xff);
  p.append(reason);
  return p;
}

// Raw deflate (RFC 7692 §7.2.1) of one message, with the 00 00 FF FF tail
// removed; the test's own zlib use, not the library's deflater.
inline std::string deflate_message(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string("\0\0\xff\xff", 4)) == 0)
    out.resize(out.size() - 4);
  return out;
}

inline std::optional<std::string> inflate_message(std::string in) {
  in.append("\0\0\xff\xff", 4);
  z_stream z{};
  inflateInit2(&z, -15);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (z.avail_in > 0 && rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) return std::nullopt;
  return out;
}

class ws_peer {
 public:
  explicit ws_peer(std::uint16_t port, int rcvbuf = 0) : fd_(dial(port, rcvbuf)) {}
  ~ws_peer() {
    if (fd_ >= 0) ::close(fd_);
  }
  ws_peer(const ws_peer&) = delete;
  ws_peer& operator=(const ws_peer&) = delete;

  int fd() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

  static std::string request(std::string_view path, std::string_view extra = {}) {
    std::string r = "GET ";
    r.append(path);
    r += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    r.append(extra);
    r += "\r\n";
    return r;
  }

  // Sends the handshake (plus `after`, bytes in the same write) and reads
  // the response head; the status, or 0.
  int handshake(std::string_view path = "/ws", std::string_view extra = {},
                std::string_view after = {}) {
    write_all(fd_, request(path, extra) + std::string(after));
    return read_head();
  }

  int read_head(int timeout_ms = 5000) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!read_some(timeout_ms)) return 0;
    head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    return std::atoi(head.c_str() + 9);
  }

  // The value of a header of the last head (case-insensitive name), "" if absent.
  std::string header(std::string name) const {
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      const std::size_t colon = head.find(':', pos);
      const std::size_t eol = head.find("\r\n", pos);
      if (colon == std::string::npos || eol == std::string::npos || colon > eol) continue;
      std::string n = head.substr(pos, colon - pos);
      for (char& c : n)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (n == name)
        return head.substr(head.find_first_not_of(' ', colon + 1),
                           eol - head.find_first_not_of(' ', colon + 1));
    }
    return {};
  }

  bool send(std::uint8_t op, std::string_view payload, bool fin = true, bool rsv1 = false) {
    return write_all(fd_, frame_bytes(op, payload, fin, true, rsv1));
  }
  bool send_raw(std::string_view bytes) { return write_all(fd_, bytes); }

  // The next frame, or nullopt on timeout or EOF.
  std::optional<frame> read_frame(int timeout_ms = 5000) {
    for (;;) {
      if (auto f = parse()) return f;
      if (!read_some(timeout_ms)) return std::nullopt;
    }
  }

  // The next data message, with continuation frames joined (control frames
  // before and between are skipped; pings are answered).
  std::optional<frame> read_message(int timeout_ms = 5000) {
    std::optional<frame> msg;
    for (;;) {
      auto f = read_frame(timeout_ms);
      if (!f) return std::nullopt;
      if (f->op == op_ping) {
        send(op_pong, f->payload);
        continue;
      }
      if (f->op == op_pong) continue;
      if (f->op == op_close) return f;
      if (!msg) {
        msg = std::move(f);
      } else {
        msg->payload += f->payload;
        msg->fin = f->fin;
      }
      if (msg->fin) return msg;
    }
  }

  // True when the server closes the TCP connection within the time; our
  // side is closed then too (as a client does once the server has closed).
  bool eof(int timeout_ms = 5000) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char tmp[65536];
      const ssize_t n = ::read(fd_, tmp, sizeof tmp);
      if (n <= 0) {
        ::close(fd_);
        fd_ = -1;
        return true;
      }
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

  std::string head;

 private:
  bool read_some(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[65536];
    const ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  std::optional<frame> parse() {
    if (buf_.size() < 2) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(buf_[0]);
    const auto b1 = static_cast<unsigned char>(buf_[1]);
    std::size_t at = 2;
    std::uint64_t len = b1 & 0x7f;
    if (len == 126) {
      if (buf_.size() < 4) return std::nullopt;
      len = (static_cast<unsigned char>(buf_[2]) << 8) | static_cast<unsigned char>(buf_[3]);
      at = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i)
        len = (len << 8) | static_cast<unsigned char>(buf_[2 + i]);
      at = 10;
    }
    const bool masked = (b1 & 0x80) != 0;
    unsigned char key[4] = {};
    if (masked) {
      if (buf_.size() < at + 4) return std::nullopt;
      std::memcpy(key, buf_.data() + at, 4);
      at += 4;
    }
    if (buf_.size() < at + len) return std::nullopt;
    frame f;
    f.op = b0 & 0x0f;
    f.fin = (b0 & 0x80) != 0;
    f.rsv1 = (b0 & 0x40) != 0;
    f.masked = masked;
    f.payload = buf_.substr(at, len);
    if (masked)
      for (std::size_t i = 0; i < f.payload.size(); ++i)
        f.payload[i] = static_cast<char>(f.payload[i] ^ key[i % 4]);
    buf_.erase(0, at + len);
    return f;
  }

  int fd_;
  std::string buf_;
};

}  // namespace test
