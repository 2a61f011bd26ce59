// The HTTP/2 frame codec as a command, for tests/interop/h2_frames.sh:
//
//   h2_frame_tool read [--preface]   frames from stdin, one line each
//                                    (tests/unit/h2/frame_log.hpp's format)
//   h2_frame_tool write              a fixed client-side sequence of every
//                                    frame type, from our writer, to stdout
//
// read feeds stdin in pieces of 1 to 4096 bytes (a fixed pseudo-random
// sequence), so the real peer's bytes are also read split at odd places.
#include <cstdio>
#include <cstring>
#include <string>

#include "../../unit/h2/frame_log.hpp"
#include "h2/frame_writer.hpp"

namespace {

using namespace lwspp::h2;

int read_stdin(bool preface) {
  std::string in;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;)
    in.append(buf, n);
  frame_reader r({.preface = preface ? preface_mode::magic_and_settings : preface_mode::none,
                  .max_frame_size = max_max_frame_size,
                  .allow_push_promise = true});
  h2_test::frame_log log;
  log.reasons = true;
  std::uint32_t seed = 12345;
  for (std::size_t at = 0; at < in.size();) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(in.size() - at, 1 + (seed >> 8) % 4096);
    const std::size_t used = read_frames(r, std::span<const char>(in.data() + at, n), log);
    if (used != n) break;  // a connection error: logged
    at += n;
  }
  std::fputs(log.text().c_str(), stdout);
  if (!r.at_boundary()) std::puts("INCOMPLETE");
  return 0;
}

int write_stdout() {
  std::string out(client_preface);
  settings s;
  s.enable_push = false;
  s.initial_window_size = 1 << 20;
  s.max_frame_size = 1 << 15;
  s.header_table_size = 8192;
  bool ok = append_settings(out, s);
  ok = ok && append_settings_ack(out);
  std::string block;
  for (int i = 0; i < 20000; ++i)
    block += static_cast<char>('A' + i % 50);
  ok = ok && append_headers(
                 out, 1, block,
                 {.pad = 9, .has_priority = true, .priority = {.dependency = 0, .weight = 41}});
  ok = ok && append_data(out, 1, std::string(1000, 'd'), false, 17);
  ok = ok && append_data(out, 1, "last", true);
  ok = ok && append_priority(out, 3, {.dependency = 1, .weight = 7, .exclusive = true});
  ok = ok && append_ping(out, "lwspp-h2");
  ok = ok && append_ping(out, "lwspp-h2", true);
  ok = ok && append_window_update(out, 0, 1 << 24);
  ok = ok && append_window_update(out, 1, 4096);
  ok = ok && append_rst_stream(out, 1, error::cancel);
  ok = ok && append_push_promise(out, 3, 6, "promised-block", default_max_frame_size, 2);
  ok = ok && append_goaway(out, 5, error::enhance_your_calm, "calm down");
  if (!ok) return 1;
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "read") == 0)
    return read_stdin(argc >= 3 && std::strcmp(argv[2], "--preface") == 0);
  if (argc == 2 && std::strcmp(argv[1], "write") == 0) return write_stdout();
  std::fputs("usage: h2_frame_tool read [--preface] | write\n", stderr);
  return 2;
}
