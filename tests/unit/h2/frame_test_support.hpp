// Running the frame reader over an input fed whole, split in two at every
// byte, and one byte at a time (each piece in a buffer of its own size, so
// ASan sees any read past it), for tests/unit/h2/frame_*_test.cpp.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "frame_log.hpp"
#include "h2/frame_writer.hpp"

namespace h2_test {

inline std::string frame(frame_type t, std::uint8_t flags, std::uint32_t sid,
                         std::string_view payload) {
  std::string out;
  append_frame(out, {static_cast<std::uint32_t>(payload.size()), t, flags, sid}, payload);
  return out;
}
inline std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t sid,
                         std::string_view payload) {
  return frame(static_cast<frame_type>(type), flags, sid, payload);
}

// The log of `in` fed in the pieces that `cuts` (ascending offsets) make.
// Adds a line "VIOLATION ..." when the reader breaks its contract.
inline std::string run(const std::string& in, const std::vector<std::size_t>& cuts,
                       const frame_reader_settings& s = {}) {
  frame_reader r(s);
  frame_log log;
  std::size_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t to = k < cuts.size() ? cuts[k] : in.size();
    const std::size_t n = to - from;
    std::unique_ptr<char[]> piece(new char[n == 0 ? 1 : n]);
    std::copy(in.data() + from, in.data() + to, piece.get());
    from = to;
    const std::size_t used = read_frames(r, std::span<const char>(piece.get(), n), log);
    const bool failed = !log.lines.empty() && log.lines.back().starts_with("CONNECTION_ERROR");
    if (failed) break;
    if (used != n) log.lines.push_back("VIOLATION consumed " + std::to_string(used));
  }
  if (!log.pieces_ordered) log.lines.push_back("VIOLATION data pieces out of order");
  if (log.open) log.lines.push_back("INCOMPLETE DATA");
  return log.text();
}

// Positions to split at: every byte of short inputs; of long ones, the first
// and last 300 bytes and every 61st byte between.
inline std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> at;
  for (std::size_t i = 1; i < size; ++i)
    if (size <= 4096 || i < 300 || i + 300 > size || i % 61 == 0) at.push_back(i);
  return at;
}

// The log of `in`, checked to be the same however the input is split.
inline std::string log_of(const std::string& in, const frame_reader_settings& s = {}) {
  const std::string whole = run(in, {}, s);
  for (std::size_t at : split_points(in.size())) {
    const std::string split = run(in, {at}, s);
    EXPECT_EQ(split, whole) << "split at " << at;
    if (split != whole) break;
  }
  if (in.size() <= 4096) {
    std::vector<std::size_t> each;
    for (std::size_t i = 1; i < in.size(); ++i)
      each.push_back(i);
    EXPECT_EQ(run(in, each, s), whole) << "byte by byte";
  }
  return whole;
}

}  // namespace h2_test
