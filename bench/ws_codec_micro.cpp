// Micro-benchmarks of the WebSocket codec: UTF-8 validation, unmasking, and
// the message reader on masked frames (what a server does per message).
// Bytes/s are the payload bytes processed.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "util/utf8.hpp"
#include "ws/frame.hpp"
#include "ws/mask.hpp"
#include "ws/message_reader.hpp"

namespace {

using namespace lwspp::ws;

std::string text_of(int kind, std::size_t n) {
  // 0: ASCII, 1: Greek (2-byte), 2: CJK (3-byte), 3: emoji (4-byte), 4: mixed.
  static const char* units[] = {"hello world ", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 ",
                                "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xf0\x9f\x98\x80",
                                "plain \xce\xba\xcf\x83 text \xe2\x82\xac "};
  std::string s;
  while (s.size() < n)
    s += units[kind];
  s.resize(n);
  while (!lwspp::util::is_valid_utf8(s))
    s.pop_back();
  return s;
}

void bm_utf8(benchmark::State& state) {
  const std::string s = text_of(static_cast<int>(state.range(0)), 1 << 16);
  for (auto _ : state) {
    lwspp::util::utf8_validator v;
    benchmark::DoNotOptimize(v.feed(s));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
  static const char* names[] = {"ascii", "2-byte", "3-byte", "4-byte", "mixed"};
  state.SetLabel(names[state.range(0)]);
}
BENCHMARK(bm_utf8)->DenseRange(0, 4);

void bm_unmask(benchmark::State& state) {
  std::string buf(static_cast<std::size_t>(state.range(0)), 'x');
  const mask_key key{1, 2, 3, 4};
  unsigned phase = 1;
  for (auto _ : state) {
    phase = apply_mask(buf.data(), buf.size(), key, phase);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * buf.size()));
  state.SetLabel(mask_implementation());
}
BENCHMARK(bm_unmask)->Arg(16)->Arg(125)->Arg(1024)->Arg(65536)->Arg(1 << 20);

// Reader over a buffer of masked text frames of one size.
void bm_reader(benchmark::State& state) {
  const std::size_t size = static_cast<std::size_t>(state.range(0));
  const std::string payload = text_of(4, size);
  std::string wire;
  while (wire.size() < 256 * 1024) {
    char head[max_header_size];
    const frame_header h{
        .op = opcode::text, .masked = true, .key = {9, 8, 7, 6}, .length = payload.size()};
    wire.append(head, write_header(h, head));
    std::string body(payload.size(), '\0');
    copy_masked(payload.data(), body.data(), body.size(), h.key, 0);
    wire += body;
  }
  std::string work = wire;
  std::size_t messages = 0;
  for (auto _ : state) {
    state.PauseTiming();
    work = wire;  // unmasking is in place
    state.ResumeTiming();
    message_reader r;
    std::span<char> rest(work.data(), work.size());
    while (!rest.empty()) {
      const step s = r.feed(rest);
      rest = rest.subspan(s.consumed);
      messages += s.ev == event::message;
      if (s.ev == event::need_more || s.ev == event::error) break;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.counters["msgs/s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}
BENCHMARK(bm_reader)->Arg(16)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
