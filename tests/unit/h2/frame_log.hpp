// A frame sink that writes one line per frame, for the frame reader's tests,
// its fuzzer and the interop dump tool (tests/interop/servers/h2_frame_tool.cpp),
// so the three speak one format, which tests/interop/h2_frames.sh also
// produces from python3-hyperframe's parse:
//
//   DATA stream=1 length=30 data=12:5a0f33c1 end_stream=1
//   HEADERS stream=1 block=40:0badf00d end_stream=0 priority=none
//   SETTINGS ack=0 entries=1:4096,4:65535
//   CONNECTION_ERROR code=PROTOCOL_ERROR stream=0
//
// Payloads are given as length:FNV-1a-32, so a log line does not depend on
// how the reader cut a DATA frame into pieces: pieces are joined first.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "h2/frame_sink.hpp"
#include "h2/settings.hpp"

namespace h2_test {

using namespace lwspp::h2;

inline std::string digest(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zu:%08x", s.size(), h);
  return buf;
}

inline std::string hex(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

struct frame_log {
  std::vector<std::string> lines;
  std::string data;            // the DATA frame being joined
  bool pieces_ordered = true;  // first/last flags came in order
  bool open = false;
  bool reasons = false;  // add the error's reason to error lines

  void on_data(const data_piece& d) {
    if (d.first == open) pieces_ordered = false;
    if (d.first) data.clear();
    open = true;
    data.append(d.data);
    if (!d.last) return;
    open = false;
    lines.push_back("DATA stream=" + std::to_string(d.stream_id) +
                    " length=" + std::to_string(d.frame_length) + " data=" + digest(data) +
                    " end_stream=" + std::to_string(d.end_stream));
  }
  static std::string priority_text(bool has, const priority_spec& p) {
    if (!has) return "none";
    return std::to_string(p.dependency) + "/" + std::to_string(p.weight) + "/" +
           std::to_string(p.exclusive);
  }
  void on_headers(const header_block& h) {
    std::string line = "HEADERS stream=" + std::to_string(h.stream_id) +
                       " block=" + digest(h.block) + " end_stream=" + std::to_string(h.end_stream) +
                       " priority=" + priority_text(h.has_priority, h.priority);
    if (h.stream_error != error::no_error)
      line += " stream_error=" + std::string(wire_name(h.stream_error));
    lines.push_back(line);
  }
  void on_push_promise(const push_promise_block& p) {
    lines.push_back("PUSH_PROMISE stream=" + std::to_string(p.stream_id) + " promised=" +
                    std::to_string(p.promised_stream_id) + " block=" + digest(p.block));
  }
  void on_priority(const priority_frame& p) {
    lines.push_back("PRIORITY stream=" + std::to_string(p.stream_id) +
                    " priority=" + priority_text(true, p.priority));
  }
  void on_rst_stream(const rst_stream_frame& r) {
    lines.push_back("RST_STREAM stream=" + std::to_string(r.stream_id) +
                    " code=" + std::to_string(r.error_code));
  }
  void on_settings(const settings_frame& s) {
    std::string entries;
    for_each_setting(s.entries, [&](std::uint16_t id, std::uint32_t v) {
      if (!entries.empty()) entries += ',';
      entries += std::to_string(id) + ":" + std::to_string(v);
    });
    lines.push_back("SETTINGS ack=" + std::to_string(s.ack) + " entries=" + entries);
  }
  void on_ping(const ping_frame& p) {
    lines.push_back("PING ack=" + std::to_string(p.ack) + " opaque=" + hex(p.opaque));
  }
  void on_goaway(const goaway_frame& g) {
    lines.push_back("GOAWAY last=" + std::to_string(g.last_stream_id) +
                    " code=" + std::to_string(g.error_code) + " debug=" + hex(g.debug));
  }
  void on_window_update(const window_update_frame& w) {
    lines.push_back("WINDOW_UPDATE stream=" + std::to_string(w.stream_id) +
                    " increment=" + std::to_string(w.increment));
  }
  void on_unknown(const unknown_frame& u) {
    lines.push_back("UNKNOWN type=" + std::to_string(u.type) + " flags=" + std::to_string(u.flags) +
                    " stream=" + std::to_string(u.stream_id) +
                    " length=" + std::to_string(u.length));
  }
  void error_line(const char* what, const frame_error& e) {
    std::string line = std::string(what) + " code=" + std::string(wire_name(e.code)) +
                       " stream=" + std::to_string(e.stream_id);
    if (reasons) line += std::string(" reason=") + e.reason;
    lines.push_back(line);
  }
  void on_stream_error(const frame_error& e) { error_line("STREAM_ERROR", e); }
  void on_connection_error(const frame_error& e) { error_line("CONNECTION_ERROR", e); }

  std::string text() const {
    std::string out;
    for (const auto& l : lines)
      out += l + "\n";
    return out;
  }
};
static_assert(frame_sink<frame_log>);

}  // namespace h2_test
