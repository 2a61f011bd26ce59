// The permessage-deflate codec over zlib raw deflate (negative windowBits).
#include "ws/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "util/counted_alloc.hpp"

namespace lwspp::ws {
namespace {

constexpr unsigned char sync_tail[4] = {0x00, 0x00, 0xFF, 0xFF};

// zlib counts in uInt: give it at most 1 GiB at a time.
constexpr std::size_t max_zlib_step = std::size_t{1} << 30;

void init_alloc(z_stream& z, std::size_t* counter) {
  z.zalloc = util::counted_zalloc;
  z.zfree = util::counted_zfree;
  z.opaque = counter;
}

}  // namespace

// --- deflater ---------------------------------------------------------------

struct deflater::state {
  z_stream z{};
};

deflater::deflater(deflater_settings s) noexcept : settings_(s) {
  settings_.window_bits = std::clamp(settings_.window_bits, 8, 15);
  settings_.level = std::clamp(settings_.level, 0, 9);
  if (settings_.mem_level <= 0) settings_.mem_level = std::clamp(settings_.window_bits - 7, 1, 8);
  settings_.mem_level = std::min(settings_.mem_level, 9);
}

deflater::~deflater() {
  if (z_) deflateEnd(&z_->z);
}

bool deflater::ready() {
  if (z_) return true;
  auto st = std::make_unique<state>();
  init_alloc(st->z, &memory_);
  // windowBits 8 is refused for raw deflate; 9 keeps distances ≤ 250 (see header).
  const int bits = std::max(settings_.window_bits, 9);
  if (deflateInit2(&st->z, settings_.level, Z_DEFLATED, -bits, settings_.mem_level,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  z_ = std::move(st);
  return true;
}

bool deflater::compress(std::string_view in, std::string& out, bool end_of_message) {
  if (!ready()) return false;
  z_stream& z = z_->z;
  const std::size_t base = out.size();
  const int mode = end_of_message ? Z_SYNC_FLUSH : Z_NO_FLUSH;
  do {
    const std::size_t step = std::min(in.size(), max_zlib_step);
    const bool last_step = step == in.size();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(step);
    for (;;) {
      // deflateBound-like room: compressed data rarely exceeds the input
      // by more than a few bytes per 16 KiB.
      const std::size_t room = std::clamp<std::size_t>(z.avail_in / 2 + 64, 256, 64 * 1024);
      const std::size_t at = out.size();
      out.resize(at + room);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
      z.avail_out = static_cast<uInt>(room);
      const int rc = deflate(&z, last_step ? mode : Z_NO_FLUSH);
      out.resize(at + room - z.avail_out);
      if (rc == Z_STREAM_ERROR) return false;
      if (z.avail_in == 0 && z.avail_out != 0) break;
    }
    in.remove_prefix(step);
  } while (!in.empty());
  if (!end_of_message) {
    message_out_ += out.size() - base;
    return true;
  }
  // A sync flush ends with an empty stored block: 00 00 FF FF.
  if (out.size() - base >= 4 &&
      std::memcmp(out.data() + out.size() - 4, sync_tail, sizeof sync_tail) == 0)
    out.resize(out.size() - 4);
  message_out_ += out.size() - base;
  // Nothing new since the last flush gives no output at all; an empty
  // message is sent as one 0x00 byte (RFC 7692 §7.2.3.6), which is what
  // peers expect (an empty payload would leave their zlib in a stored block).
  if (message_out_ == 0) out += '\0';
  message_out_ = 0;
  if (settings_.no_context_takeover) {
    if (settings_.release_idle) {
      deflateEnd(&z);
      z_.reset();
    } else {
      deflateReset(&z);
    }
  }
  return true;
}

// --- inflater ---------------------------------------------------------------

struct inflater::state {
  z_stream z{};
};

inflater::inflater(inflater_settings s) noexcept : settings_(s) {
  settings_.window_bits = std::clamp(settings_.window_bits, 8, 15);
}

inflater::~inflater() {
  if (z_) inflateEnd(&z_->z);
}

bool inflater::ready() {
  if (z_) return true;
  auto st = std::make_unique<state>();
  init_alloc(st->z, &memory_);
  if (inflateInit2(&st->z, -settings_.window_bits) != Z_OK) return false;
  z_ = std::move(st);
  return true;
}

inflater::result inflater::run(std::string_view in, char* out, std::size_t room) {
  result r;
  if (!ready()) {
    r.ok = false;
    return r;
  }
  z_stream& z = z_->z;
  const std::size_t in_step = std::min(in.size(), max_zlib_step);
  const std::size_t out_step = std::min(room, max_zlib_step);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in_step);
  z.next_out = reinterpret_cast<Bytef*>(out);
  z.avail_out = static_cast<uInt>(out_step);
  for (;;) {
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    if (rc == Z_STREAM_END) {
      // A block with BFINAL set (RFC 7692 §7.2.3.4): what follows in the
      // message (a 0x00 byte, then our 00 00 FF FF) starts a new stream.
      inflateReset(&z);
      if (z.avail_in > 0 && z.avail_out > 0) continue;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      r.ok = false;  // Z_DATA_ERROR, Z_MEM_ERROR, Z_NEED_DICT
    }
    break;
  }
  r.consumed = in_step - z.avail_in;
  r.produced = out_step - z.avail_out;
  return r;
}

inflater::result inflater::inflate(std::string_view in, char* out, std::size_t room) {
  // Empty input still runs zlib: output it could not give for lack of room
  // comes out now.
  if (!in.empty()) saw_input_ = true;
  if (!saw_input_) return {};
  return run(in, out, room);
}

inflater::result inflater::finish(char* out, std::size_t room, bool& done) {
  done = false;
  result r;
  // An empty payload is an empty message: feeding the tail alone would
  // leave zlib inside a stored block.
  if (saw_input_) {
    const auto* tail = reinterpret_cast<const char*>(sync_tail) + tail_fed_;
    r = run(std::string_view(tail, sizeof sync_tail - tail_fed_), out, room);
    tail_fed_ = static_cast<std::uint8_t>(tail_fed_ + r.consumed);
    r.consumed = 0;  // the tail is ours, not the caller's input
    if (!r.ok) return r;
    // Done when the tail is in and zlib left output space unused.
    if (tail_fed_ < sizeof sync_tail || r.produced == room) return r;
  }
  done = true;
  end_message();
  return r;
}

void inflater::end_message() {
  tail_fed_ = 0;
  saw_input_ = false;
  if (!z_ || !settings_.no_context_takeover) return;
  if (settings_.release_idle) {
    inflateEnd(&z_->z);
    z_.reset();
  } else {
    inflateReset(&z_->z);
  }
}

}  // namespace lwspp::ws
