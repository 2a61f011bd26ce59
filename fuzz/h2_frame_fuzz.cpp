// libFuzzer target for the HTTP/2 frame reader (src/h2/frame_reader.cpp).
//
// The first byte picks the settings: preface mode (bits 0-1), push allowed
// (bit 2), a small header-block bound (bit 3), a large max frame size (bit
// 4); the second picks where to split. The rest is fed whole, split in two,
// and (when short) byte by byte; every run must give the same frame log.
// Contract checks: consumed within the span, everything consumed unless the
// connection failed, DATA pieces inside the span fed, header blocks within
// the bound, a connection error stays.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../tests/unit/h2/frame_log.hpp"

namespace {

using namespace lwspp::h2;

void check(bool ok) {
  if (!ok) std::abort();
}

// frame_log plus the contract checks that need the span being fed.
struct checked_log : h2_test::frame_log {
  std::span<const char> fed;
  std::size_t max_block = 0;
  void on_data(const data_piece& d) {
    check(d.data.empty() || (d.data.data() >= fed.data() &&
                             d.data.data() + d.data.size() <= fed.data() + fed.size()));
    frame_log::on_data(d);
  }
  void on_headers(const header_block& h) {
    check(h.block.size() <= max_block);
    frame_log::on_headers(h);
  }
};

std::string run(const std::string& data, const std::vector<std::size_t>& cuts,
                const frame_reader_settings& s) {
  frame_reader r(s);
  checked_log log;
  log.max_block = s.max_header_block;
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : data.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> piece(new char[n == 0 ? 1 : n]);
    std::copy(data.data() + from, data.data() + to, piece.get());
    from = to;
    log.fed = {piece.get(), n};
    const std::size_t used = read_frames(r, log.fed, log);
    check(used <= n);
    if (!log.lines.empty() && log.lines.back().starts_with("CONNECTION_ERROR")) {
      check(r.next(log.fed).ev == frame_event::connection_error);
      break;
    }
    check(used == n);
  }
  check(log.pieces_ordered);
  return log.text() + (log.open ? "open" : "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  const unsigned cfg = bytes[0];
  const std::string data(reinterpret_cast<const char*>(bytes) + 2, size - 2);
  const std::size_t split = static_cast<std::size_t>(bytes[1]) * data.size() / 255;
  frame_reader_settings s;
  s.preface = static_cast<preface_mode>((cfg & 3) % 3);
  s.allow_push_promise = (cfg & 4) != 0;
  if ((cfg & 8) != 0) s.max_header_block = 200;
  if ((cfg & 16) != 0) s.max_frame_size = max_max_frame_size;
  const std::string whole = run(data, {}, s);
  check(run(data, {split}, s) == whole);
  if (data.size() <= 300) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < data.size(); ++i)
      cuts.push_back(i);
    check(run(data, cuts, s) == whole);
  }
  return 0;
}
