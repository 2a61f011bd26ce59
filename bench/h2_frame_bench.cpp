// Frames parsed per second by the HTTP/2 frame reader (src/h2/frame_reader.cpp)
// on a typical mix of a busy connection: per 10 frames, 3 HEADERS (an 80-byte
// block), 4 DATA (1 KiB, one in four padded, every other one ending its
// stream), 2 WINDOW_UPDATE and 1 PING. The stream is fed in 64 KiB pieces
// and in 1,400-byte pieces (what one TCP segment brings, so frames
// straddle reads and get buffered); 64 KiB reads stand for a busy
// connection's full receive buffer. Prints ns/frame and MB/s (thread CPU
// time), best of 7.
//
//   build/release/bench/h2_frame_bench [rounds of 1,000 frames; default 100]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "h2/frame_sink.hpp"
#include "h2/frame_writer.hpp"

namespace {

using namespace lwspp::h2;

// Counts events and touches every view, so nothing is optimised away.
struct counting_sink {
  std::size_t frames = 0;
  std::size_t bytes = 0;
  void on_data(const data_piece& d) {
    frames += d.last;
    bytes += d.data.size();
  }
  void on_headers(const header_block& h) {
    ++frames;
    bytes += h.block.size();
  }
  void on_push_promise(const push_promise_block&) { ++frames; }
  void on_priority(const priority_frame&) { ++frames; }
  void on_rst_stream(const rst_stream_frame&) { ++frames; }
  void on_settings(const settings_frame&) { ++frames; }
  void on_ping(const ping_frame& p) {
    ++frames;
    bytes += p.opaque.size();
  }
  void on_goaway(const goaway_frame&) { ++frames; }
  void on_window_update(const window_update_frame& w) {
    ++frames;
    bytes += w.increment & 1;
  }
  void on_unknown(const unknown_frame&) { ++frames; }
  void on_stream_error(const frame_error&) { std::abort(); }
  void on_connection_error(const frame_error&) { std::abort(); }
};

std::string mix(std::size_t frames) {
  std::string out;
  const std::string block(80, 'h');
  const std::string body(1024, 'd');
  std::uint32_t sid = 1;
  for (std::size_t i = 0; i < frames / 10; ++i) {
    for (int k = 0; k < 3; ++k)
      append_headers(out, sid + 2 * k, block, {.end_stream = k == 2});
    for (int k = 0; k < 4; ++k)
      append_data(out, sid, body, k % 2 == 1, k == 3 ? 16 : 0);
    append_window_update(out, 0, 65536);
    append_window_update(out, sid, 4096);
    append_ping(out, "12345678", (i & 1) != 0);
    sid = sid < 0x7ffffff0 ? sid + 6 : 1;
  }
  return out;
}

// The thread's CPU time: the machine is shared, so wall time would count
// other processes' turns.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// One connection reading `in` `rounds` times (a receive buffer that is
// reused, as a connection's is: it stays in cache).
double run(const std::string& in, std::size_t piece, int rounds, std::size_t& frames) {
  const double t0 = cpu_seconds();
  frame_reader r({.max_frame_size = default_max_frame_size});
  counting_sink sink;
  for (int round = 0; round < rounds; ++round)
    for (std::size_t at = 0; at < in.size(); at += piece) {
      const std::size_t n = std::min(piece, in.size() - at);
      read_frames(r, std::span<const char>(in.data() + at, n), sink);
    }
  frames = sink.frames;
  return cpu_seconds() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 100;
  const std::string in = mix(1000);  // 1,000 frames, about 450 KB
  for (const std::size_t piece : {std::size_t{64 * 1024}, std::size_t{1400}}) {
    double best = 1e9;
    std::size_t frames = 0;
    for (int rep = 0; rep < 7; ++rep)
      best = std::min(best, run(in, piece, rounds, frames));
    std::printf("%-16s %zu frames: %.1f ns/frame, %.2f Mframes/s, %.0f MB/s\n",
                piece == 1400 ? "1400-byte reads" : "64 KiB reads", frames, best * 1e9 / frames,
                frames / best / 1e6, in.size() * rounds / best / 1e6);
  }
  return 0;
}
