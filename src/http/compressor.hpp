// Streaming content codings for HTTP bodies: a compressor for responses
// (gzip via zlib, br via libbrotli when the build has it) and a bounded
// decompressor for tests and the HTTP client.
//
// Both are sans-I/O: bytes in, bytes appended to a caller's string. No
// zlib or brotli header leaks out of this file; the library state lives in
// compressor.cpp. Memory per stream (measured by compressor_test, see
// docs/compression.md):
//   gzip   windowBits 15, memLevel 8: 262 KiB, fixed
//          (zlib: (1 << (15 + 2)) + (1 << (8 + 9)) bytes plus its state)
//   br     quality 5, lgwin 18: 1.1 MiB for a small body, growing to about
//          3.6 MiB on long streams (hash tables, window, block buffers)
//   gunzip 39 KiB (32 KiB window plus state)
//   unbr   about 270 KiB for our own output; the sender chooses the window,
//          up to 16 MiB for lgwin 24 (the decoder allocates as asked)
// Destroy a compressor as soon as its stream is finished.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "http/content_coding.hpp"
#include "lwspp/result.hpp"

namespace lwspp::http {

// Compression settings. Levels are per coding: gzip 1 (fast) .. 9 (small),
// brotli quality 0 .. 11. default_level picks the coding's on-the-fly default.
inline constexpr int default_level = -1;
inline constexpr int default_gzip_level = 6;      // zlib's own default
inline constexpr int default_brotli_quality = 5;  // on-the-fly: ~gzip -6 speed, smaller output
inline constexpr int gzip_window_bits = 15;       // 32 KiB window (zlib's maximum)
inline constexpr int gzip_mem_level = 8;          // zlib's default; 9 costs 128 KiB more per stream
inline constexpr int brotli_window_bits = 18;     // lgwin 18: 256 KiB window (brotli CLI: 22)

// Bound on the decompressed size of one stream (bomb defence): 16 MiB.
inline constexpr std::uint64_t default_max_decompressed = 16 * 1024 * 1024;

// Errors of the decompressors (category "lwspp.coding").
enum class coding_error {
  corrupt = 1,    // the bytes are not a valid stream of the coding (detail: the library's text)
  too_large,      // the decompressed size passed the decompressor's limit (bomb defence)
  trailing_data,  // bytes followed the end of the compressed stream
  truncated,      // finish() was called before the end of the compressed stream
  unsupported,    // identity, or br in a build without brotli
};

const std::error_category& coding_error_category() noexcept;

inline std::error_code make_error_code(coding_error e) noexcept {
  return {static_cast<int>(e), coding_error_category()};
}

}  // namespace lwspp::http

template <>
struct std::is_error_code_enum<lwspp::http::coding_error> : std::true_type {};

namespace lwspp::http {

// True when this build can encode and decode `c` (identity: false, there
// is nothing to do).
bool coding_available(content_coding c) noexcept;

class compressor {
 public:
  // A compressor for `c` at `level`. nullptr for identity, for br when the
  // build has no brotli, for a level out of range, or when the codec
  // library cannot allocate its state.
  static std::unique_ptr<compressor> make(content_coding c, int level = default_level);

  virtual ~compressor();
  compressor(const compressor&) = delete;
  compressor& operator=(const compressor&) = delete;

  // Appends compressed bytes for `in` to `out`; finish = true ends the
  // stream (trailer written). Bytes may be held back until a later write,
  // flush or finish. Returns false on failure, and for any call after the
  // stream was finished.
  virtual bool write(std::string_view in, std::string& out, bool finish) = 0;

  // Sync flush for streamed responses: appends everything written so far in
  // a form the peer can decode now (zlib Z_SYNC_FLUSH, brotli FLUSH). Costs
  // a few bytes and some ratio; use it when the response pauses, not per
  // write. Returns false on failure or after finish.
  virtual bool flush(std::string& out) = 0;

  content_coding coding() const noexcept { return coding_; }
  bool finished() const noexcept { return finished_; }
  // Bytes the codec library holds for this stream now.
  std::size_t memory() const noexcept { return memory_; }

 protected:
  explicit compressor(content_coding c) noexcept : coding_(c) {}
  content_coding coding_;
  bool finished_ = false;
  std::size_t memory_ = 0;  // kept by the counting allocator in compressor.cpp
};

class decompressor {
 public:
  // A decoder for `c` that refuses to produce more than `max_output` bytes
  // in total. nullptr for identity, br without brotli, or out of memory.
  static std::unique_ptr<decompressor> make(content_coding c,
                                            std::uint64_t max_output = default_max_decompressed);

  virtual ~decompressor();
  decompressor(const decompressor&) = delete;
  decompressor& operator=(const decompressor&) = delete;

  // Appends the bytes decoded from `in` to `out`. `in` may be split
  // anywhere. Errors (sticky: every later call returns the same one):
  //   corrupt        not a valid stream
  //   too_large      more than max_output bytes would come out; `out` has
  //                  received exactly max_output bytes in total by then
  //   trailing_data  bytes after the end of the stream (one gzip member only)
  virtual result<void> write(std::string_view in, std::string& out) = 0;

  // The input ended: truncated unless the whole stream was seen.
  result<void> finish() const;

  bool done() const noexcept { return done_; }  // end of the compressed stream seen
  std::uint64_t total_out() const noexcept { return total_out_; }
  std::size_t memory() const noexcept { return memory_; }

 protected:
  decompressor(content_coding c, std::uint64_t max_output) noexcept
      : coding_(c), max_output_(max_output) {}
  result<void> fail(coding_error e, std::string detail);

  content_coding coding_;
  std::uint64_t max_output_;
  std::uint64_t total_out_ = 0;
  std::size_t memory_ = 0;
  bool done_ = false;
  bool failed_ = false;
  error_info error_;
};

}  // namespace lwspp::http
