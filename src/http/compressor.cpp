// gzip (zlib) and br (libbrotli) streams behind http::compressor and
// http::decompressor. Every codec allocation goes through a counting
// allocator so that memory() reports what one stream costs.
#include "http/compressor.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <new>

#include "util/counted_alloc.hpp"

#ifndef LWSPP_HAVE_BROTLI
#define LWSPP_HAVE_BROTLI 0  // CMake defines it to 1 when libbrotlienc/libbrotlidec are found
#endif
#if LWSPP_HAVE_BROTLI
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif

namespace lwspp::http {
namespace {

// --- output helpers -------------------------------------------------------
// Codecs write straight into the caller's string: grow it by `room`, let the
// codec fill some, then cut it back to what was written.
struct out_window {
  std::string& out;
  std::size_t base;
  std::size_t room;

  out_window(std::string& o, std::size_t r) : out(o), base(o.size()), room(r) {
    out.resize(base + room);
  }
  unsigned char* data() { return reinterpret_cast<unsigned char*>(out.data()) + base; }
  void commit(std::size_t left) { out.resize(base + room - left); }
};

// zlib counts in uInt: feed at most 1 GiB per call.
constexpr std::size_t max_codec_step = std::size_t{1} << 30;

// Room for a decoder's next output: 64 KiB, or less near the limit, where it
// is at most one byte past it (seeing that byte is the proof that the stream
// is too large). Written so that no limit (max_output = UINT64_MAX, which
// streamed responses use) does not wrap to zero room: 0 room made inflate
// fail ("no progress") and the br loop spin.
std::size_t output_room(std::uint64_t max_output, std::uint64_t total_out) {
  constexpr std::size_t piece = 64 * 1024;
  const std::uint64_t left = max_output - total_out;  // total_out <= max_output
  return left >= piece ? piece : static_cast<std::size_t>(left) + 1;
}

std::size_t room_for(std::size_t in_size) {
  return std::clamp<std::size_t>(in_size / 2 + 64, 1024, 64 * 1024);
}

// --- gzip -----------------------------------------------------------------
class gzip_compressor final : public compressor {
 public:
  gzip_compressor() : compressor(content_coding::gzip) {}
  ~gzip_compressor() override {
    if (ready_) deflateEnd(&z_);
  }

  bool init(int level) {
    z_.zalloc = util::counted_zalloc;
    z_.zfree = util::counted_zfree;
    z_.opaque = &memory_;
    ready_ = deflateInit2(&z_, level, Z_DEFLATED, gzip_window_bits + 16, gzip_mem_level,
                          Z_DEFAULT_STRATEGY) == Z_OK;
    return ready_;
  }

  bool write(std::string_view in, std::string& out, bool finish) override {
    if (finished_) return false;
    do {
      const std::size_t step = std::min(in.size(), max_codec_step);
      const bool last = step == in.size();
      if (!run(in.substr(0, step), out, last && finish ? Z_FINISH : Z_NO_FLUSH)) return false;
      in.remove_prefix(step);
    } while (!in.empty());
    if (finish) finished_ = true;
    return true;
  }

  bool flush(std::string& out) override { return !finished_ && run({}, out, Z_SYNC_FLUSH); }

 private:
  bool run(std::string_view in, std::string& out, int mode) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    for (;;) {
      out_window w(out, room_for(z_.avail_in));
      z_.next_out = w.data();
      z_.avail_out = static_cast<uInt>(w.room);
      const int rc = deflate(&z_, mode);
      w.commit(z_.avail_out);
      if (rc == Z_STREAM_ERROR) return false;
      if (mode == Z_FINISH) {
        if (rc == Z_STREAM_END) return true;
      } else if (z_.avail_in == 0 && z_.avail_out != 0) {
        return true;
      }
    }
  }

  z_stream z_{};
  bool ready_ = false;
};

class gzip_decompressor final : public decompressor {
 public:
  explicit gzip_decompressor(std::uint64_t max_output)
      : decompressor(content_coding::gzip, max_output) {}
  ~gzip_decompressor() override {
    if (ready_) inflateEnd(&z_);
  }

  bool init() {
    z_.zalloc = util::counted_zalloc;
    z_.zfree = util::counted_zfree;
    z_.opaque = &memory_;
    ready_ = inflateInit2(&z_, gzip_window_bits + 16) == Z_OK;  // gzip wrapper only
    return ready_;
  }

  result<void> write(std::string_view in, std::string& out) override {
    if (failed_) return error_;
    while (!in.empty()) {
      if (done_) return fail(coding_error::trailing_data, "bytes after the gzip trailer");
      const std::size_t step = std::min(in.size(), max_codec_step);
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z_.avail_in = static_cast<uInt>(step);
      if (auto r = run(out); !r) return r;
      in.remove_prefix(step - z_.avail_in);
      if (!done_ && z_.avail_in != 0)
        return fail(coding_error::corrupt, "inflate made no progress");
    }
    return {};
  }

 private:
  result<void> run(std::string& out) {
    for (;;) {
      const std::size_t room = output_room(max_output_, total_out_);
      out_window w(out, room);
      z_.next_out = w.data();
      z_.avail_out = static_cast<uInt>(room);
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const std::size_t produced = room - z_.avail_out;
      w.commit(z_.avail_out);
      total_out_ += produced;
      if (total_out_ > max_output_) {
        out.resize(out.size() - static_cast<std::size_t>(total_out_ - max_output_));
        total_out_ = max_output_;
        return fail(coding_error::too_large,
                    "decompressed size over " + std::to_string(max_output_));
      }
      if (rc == Z_STREAM_END) {
        done_ = true;
        return {};
      }
      if (rc == Z_BUF_ERROR) return {};  // needs more input
      if (rc != Z_OK) {
        return fail(coding_error::corrupt, z_.msg != nullptr ? z_.msg : "inflate failed");
      }
      if (z_.avail_in == 0 && z_.avail_out != 0) return {};
    }
  }

  z_stream z_{};
  bool ready_ = false;
};

// --- brotli ---------------------------------------------------------------
#if LWSPP_HAVE_BROTLI
void* brotli_alloc(void* opaque, std::size_t size) {
  return util::counted_alloc(static_cast<std::size_t*>(opaque), size);
}
void brotli_free(void* opaque, void* address) {
  util::counted_free(static_cast<std::size_t*>(opaque), address);
}

class brotli_compressor final : public compressor {
 public:
  brotli_compressor() : compressor(content_coding::br) {}
  ~brotli_compressor() override {
    if (state_ != nullptr) BrotliEncoderDestroyInstance(state_);
  }

  bool init(int quality) {
    state_ = BrotliEncoderCreateInstance(brotli_alloc, brotli_free, &memory_);
    return state_ != nullptr &&
           BrotliEncoderSetParameter(state_, BROTLI_PARAM_QUALITY,
                                     static_cast<std::uint32_t>(quality)) &&
           BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGWIN, brotli_window_bits);
  }

  bool write(std::string_view in, std::string& out, bool finish) override {
    if (finished_) return false;
    if (!run(in, out, finish ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS)) return false;
    if (finish) finished_ = true;
    return true;
  }

  bool flush(std::string& out) override {
    return !finished_ && run({}, out, BROTLI_OPERATION_FLUSH);
  }

 private:
  bool run(std::string_view in, std::string& out, BrotliEncoderOperation op) {
    auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    std::size_t avail_in = in.size();
    for (;;) {
      out_window w(out, room_for(avail_in));
      std::uint8_t* next_out = w.data();
      std::size_t avail_out = w.room;
      const bool ok = BrotliEncoderCompressStream(state_, op, &avail_in, &next_in, &avail_out,
                                                  &next_out, nullptr) != 0;
      w.commit(avail_out);
      if (!ok) return false;
      if (op == BROTLI_OPERATION_FINISH) {
        if (BrotliEncoderIsFinished(state_)) return true;
      } else if (avail_in == 0 && !BrotliEncoderHasMoreOutput(state_)) {
        return true;
      }
    }
  }

  BrotliEncoderState* state_ = nullptr;
};

class brotli_decompressor final : public decompressor {
 public:
  explicit brotli_decompressor(std::uint64_t max_output)
      : decompressor(content_coding::br, max_output) {}
  ~brotli_decompressor() override {
    if (state_ != nullptr) BrotliDecoderDestroyInstance(state_);
  }

  bool init() {
    state_ = BrotliDecoderCreateInstance(brotli_alloc, brotli_free, &memory_);
    return state_ != nullptr;
  }

  result<void> write(std::string_view in, std::string& out) override {
    if (failed_) return error_;
    auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    std::size_t avail_in = in.size();
    while (avail_in != 0 || BrotliDecoderHasMoreOutput(state_)) {
      if (done_) return fail(coding_error::trailing_data, "bytes after the end of the br stream");
      const std::size_t room = output_room(max_output_, total_out_);
      out_window w(out, room);
      std::uint8_t* next_out = w.data();
      std::size_t avail_out = room;
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in,
                                                                   &avail_out, &next_out, nullptr);
      w.commit(avail_out);
      total_out_ += room - avail_out;
      if (total_out_ > max_output_) {
        out.resize(out.size() - static_cast<std::size_t>(total_out_ - max_output_));
        total_out_ = max_output_;
        return fail(coding_error::too_large,
                    "decompressed size over " + std::to_string(max_output_));
      }
      if (rc == BROTLI_DECODER_RESULT_ERROR) {
        return fail(coding_error::corrupt,
                    BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)));
      }
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) done_ = true;
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) break;
    }
    if (avail_in != 0)
      return fail(coding_error::trailing_data, "bytes after the end of the br stream");
    return {};
  }

 private:
  BrotliDecoderState* state_ = nullptr;
};
#endif  // LWSPP_HAVE_BROTLI

class coding_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lwspp.coding"; }
  std::string message(int value) const override {
    switch (static_cast<coding_error>(value)) {
      case coding_error::corrupt:
        return "corrupt compressed data";
      case coding_error::too_large:
        return "decompressed size limit reached";
      case coding_error::trailing_data:
        return "data after the end of the compressed stream";
      case coding_error::truncated:
        return "compressed stream truncated";
      case coding_error::unsupported:
        return "content coding not supported by this build";
    }
    return "unknown coding error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& coding_error_category() noexcept {
  static const coding_category instance;
  return instance;
}

bool coding_available(content_coding c) noexcept {
  switch (c) {
    case content_coding::gzip:
      return true;
    case content_coding::br:
      return LWSPP_HAVE_BROTLI != 0;
    case content_coding::identity:
      break;
  }
  return false;
}

compressor::~compressor() = default;

std::unique_ptr<compressor> compressor::make(content_coding c, int level) {
  switch (c) {
    case content_coding::gzip: {
      if (level == default_level) level = default_gzip_level;
      if (level < 1 || level > 9) return nullptr;
      auto z = std::unique_ptr<gzip_compressor>(new (std::nothrow) gzip_compressor());
      if (z == nullptr || !z->init(level)) return nullptr;
      return z;
    }
    case content_coding::br: {
#if LWSPP_HAVE_BROTLI
      if (level == default_level) level = default_brotli_quality;
      if (level < BROTLI_MIN_QUALITY || level > BROTLI_MAX_QUALITY) return nullptr;
      auto b = std::unique_ptr<brotli_compressor>(new (std::nothrow) brotli_compressor());
      if (b == nullptr || !b->init(level)) return nullptr;
      return b;
#else
      return nullptr;
#endif
    }
    case content_coding::identity:
      break;
  }
  return nullptr;
}

decompressor::~decompressor() = default;

std::unique_ptr<decompressor> decompressor::make(content_coding c, std::uint64_t max_output) {
  switch (c) {
    case content_coding::gzip: {
      auto z = std::unique_ptr<gzip_decompressor>(new (std::nothrow) gzip_decompressor(max_output));
      if (z == nullptr || !z->init()) return nullptr;
      return z;
    }
    case content_coding::br: {
#if LWSPP_HAVE_BROTLI
      auto b =
          std::unique_ptr<brotli_decompressor>(new (std::nothrow) brotli_decompressor(max_output));
      if (b == nullptr || !b->init()) return nullptr;
      return b;
#else
      return nullptr;
#endif
    }
    case content_coding::identity:
      break;
  }
  return nullptr;
}

result<void> decompressor::finish() const {
  if (failed_) return error_;
  if (!done_) {
    return error_info(coding_error::truncated, std::string(to_string(coding_)) +
                                                   " stream ended after " +
                                                   std::to_string(total_out_) + " decoded bytes");
  }
  return {};
}

result<void> decompressor::fail(coding_error e, std::string detail) {
  failed_ = true;
  error_ = error_info(e, std::string(to_string(coding_)) + ": " + std::move(detail));
  return error_;
}

}  // namespace lwspp::http
