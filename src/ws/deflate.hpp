// permessage-deflate (RFC 7692 §7.2) compression and decompression of
// message payloads, with zlib's raw deflate.
//
// A compressed message is the deflate stream of its payload, flushed with a
// sync flush, minus the 4 bytes 00 00 FF FF that the flush ends with. The
// deflater strips them at the end of a message; the inflater feeds them back
// before the message ends. Without context takeover, each message starts a
// fresh LZ77 window; with it, the window carries over (more compression, the
// zlib state stays allocated between messages).
//
// Memory per direction (zlib, windowBits w, memLevel m):
//   deflate: 2^(w+2) + 2^(m+9) bytes plus ~6 KiB; w=15, m=8: ~262 KiB
//   inflate: 2^w bytes plus ~7 KiB;               w=15: ~39 KiB
// Both allocate lazily on the first message, and with release_idle they
// free everything between messages when there is no context to keep.
//
// zlib cannot make a raw deflate stream with windowBits 8: deflateInit2
// refuses it (since 1.2.9). A negotiated window of 8 bits is compressed with
// windowBits 9 instead. That still honours the peer's 256-byte window: zlib's
// deflate never emits a distance over its window size minus 262 bytes
// (MAX_DIST), so with a 512-byte window every distance is at most 250. The
// inflater accepts 8 as it is.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lwspp::ws {

struct deflater_settings {
  int window_bits = 15;              // 8-15: as negotiated for our side
  bool no_context_takeover = false;  // as negotiated: each message on its own
  int level = 6;                     // zlib level 1 (fast) .. 9 (small); 6 is zlib's default
  int mem_level = 0;                 // 1-9; 0: window_bits - 7, at least 1 and at most 8
  bool release_idle = false;         // no context takeover: free zlib state after each message
};

class deflater {
 public:
  explicit deflater(deflater_settings s = {}) noexcept;
  ~deflater();
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  // Appends the compressed form of `in` to `out`. A message may be given in
  // several calls; end_of_message on the last one flushes, strips the
  // trailing 00 00 FF FF and (without context takeover) resets the window.
  // An empty message compresses to a single 00 byte. False when zlib cannot
  // allocate its state.
  bool compress(std::string_view in, std::string& out, bool end_of_message);

  // Bytes zlib holds for this stream now.
  std::size_t memory() const noexcept { return memory_; }
  const deflater_settings& settings() const noexcept { return settings_; }

 private:
  struct state;
  bool ready();
  deflater_settings settings_;
  std::unique_ptr<state> z_;
  std::size_t memory_ = 0;
  std::size_t message_out_ = 0;  // compressed bytes given out for the current message
};

struct inflater_settings {
  int window_bits = 15;              // 8-15: as negotiated for the peer's side
  bool no_context_takeover = false;  // as negotiated
  bool release_idle = false;         // no context takeover: free zlib state after each message
};

// Decompression into caller-given space only: zlib's own allocation is its
// window and state, so a deflate bomb costs no more than the output space
// the owner gives (the message reader gives at most its message limit).
class inflater {
 public:
  explicit inflater(inflater_settings s = {}) noexcept;
  ~inflater();
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  struct result {
    std::size_t consumed = 0;  // bytes of the input used
    std::size_t produced = 0;  // bytes written to the output
    bool ok = true;            // false: not a valid deflate stream (or out of memory)
  };

  // Inflates from `in` into out[0..room): stops when the input is used up
  // or the output space is full. When it filled the space, zlib may hold
  // more output: call again (with empty input if need be) to get it.
  result inflate(std::string_view in, char* out, std::size_t room);
  // After a message's last piece: inflates the 00 00 FF FF tail. Call until
  // `done` (output space may run out first); then the message is complete
  // and, without context takeover, the window is reset.
  result finish(char* out, std::size_t room, bool& done);

  std::size_t memory() const noexcept { return memory_; }
  const inflater_settings& settings() const noexcept { return settings_; }

 private:
  struct state;
  bool ready();
  result run(std::string_view in, char* out, std::size_t room);
  void end_message();
  inflater_settings settings_;
  std::unique_ptr<state> z_;
  std::size_t memory_ = 0;
  std::uint8_t tail_fed_ = 0;  // bytes of 00 00 FF FF given to zlib in finish()
  bool saw_input_ = false;     // the message had compressed bytes
};

}  // namespace lwspp::ws
