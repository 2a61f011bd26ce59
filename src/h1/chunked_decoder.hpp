// lwspp::h1::chunked_decoder — the chunked transfer coding (RFC 9112 §7.1),
// sans-I/O, for both directions: the request parser decodes request bodies
// with it, the response parser response bodies. Chunk size lines with their
// extensions (validated, then skipped), chunk data, the CRLF after it, the
// last chunk and the trailer section (parsed with h1/field_lines.hpp).
//
// Contract (the owner's feed loop calls it from its body phase):
//   d.start(offset, max_body);     // at the head: the body starts here
//   chunked_step s = d.feed(bytes);
//   switch (s.ev) { need_more, data, end, error }
// need_more consumed all of `bytes`. data: s.data is the next piece of the
// body, inside `bytes`. end: the trailer section ended, trailers() is valid
// until the next feed() or start(). error: error_status(), error_reason()
// and error_offset() (counted from the start of the message, `offset`
// being where the body starts); every later feed returns error.
//
// No allocation on the way but for a trailer section split over several
// feeds (copied, bounded by max_trailer_bytes) and the trailer fields.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "h1/field_lines.hpp"

namespace lwspp::h1 {

struct chunked_limits {
  std::size_t max_chunk_ext = 1024;          // extension bytes per size line → 400
  std::size_t max_trailer_bytes = 4 * 1024;  // trailer fields and the empty line → 431
  std::size_t max_trailers = 100;            // trailer field count → 431
  bool allow_bare_lf = false;                // LF alone ends a size line, data, a trailer
};

enum class chunked_event : std::uint8_t {
  need_more,  // every byte given was used
  data,       // chunked_step::data is a piece of the body
  end,        // the last chunk and the trailer section are in
  error,      // see error_reason()
};

struct chunked_step {
  chunked_event ev = chunked_event::need_more;
  std::size_t consumed = 0;
  std::string_view data;  // for chunked_event::data
};

class chunked_decoder {
 public:
  static constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();

  explicit chunked_decoder(chunked_limits limits = {}) noexcept : limits_(limits) {}

  // A new body, whose first byte is `offset` bytes into the message; the
  // chunk sizes may add up to `max_body` (over → 413 at the size line).
  void start(std::uint64_t offset, std::uint64_t max_body = unlimited) noexcept;
  // Changes the bound for the chunks still to come.
  void set_max_body(std::uint64_t n) noexcept { max_body_ = n; }
  chunked_step feed(std::string_view in);
  // Forgets the body and its trailers; releases a large trailer copy.
  void clear() noexcept;

  const std::vector<header_field>& trailers() const noexcept { return trailers_; }
  int error_status() const noexcept { return err_status_; }
  const char* error_reason() const noexcept { return err_reason_; }
  std::uint64_t error_offset() const noexcept { return err_offset_; }

 private:
  // "Which function handles the next bytes": each phase uses some bytes
  // and either returns an event or moves to another phase.
  using phase_fn = chunked_step (chunked_decoder::*)(std::string_view in);
  chunked_step on_size(std::string_view in);      // hex digits of a chunk size
  chunked_step on_ext(std::string_view in);       // extensions up to the line end
  chunked_step on_size_lf(std::string_view in);   // the LF after a size line's CR
  chunked_step on_data(std::string_view in);      // chunk data
  chunked_step on_data_cr(std::string_view in);   // the CR after chunk data
  chunked_step on_data_lf(std::string_view in);   // the LF after chunk data
  chunked_step on_trailers(std::string_view in);  // the trailer section
  chunked_step on_ended(std::string_view in);     // end was returned
  chunked_step on_error(std::string_view in);     // stays here
  void size_line_done() noexcept;
  chunked_step fail(int status, const char* reason, std::uint64_t offset) noexcept;

  chunked_limits limits_;
  phase_fn phase_ = &chunked_decoder::on_size;
  std::uint64_t offset_ = 0;  // of the next byte, from the start of the message
  std::uint64_t max_body_ = unlimited;
  std::uint64_t total_ = 0;         // sum of the chunk sizes so far
  std::uint64_t size_ = 0;          // the chunk size being read
  std::uint64_t left_ = 0;          // data bytes left in this chunk
  std::uint64_t size_offset_ = 0;   // offset of the chunk size's first digit
  std::uint64_t trailer_base_ = 0;  // offset of the trailer section's first byte
  std::size_t ext_len_ = 0;         // extension bytes in this size line
  std::size_t line_start_ = 0;      // trailer line being scanned, from trailer_base_
  std::uint8_t digits_ = 0;
  std::uint8_t ext_state_ = 0;
  std::vector<header_field> trailers_;
  std::string held_;  // a trailer section split over several feeds
  int err_status_ = 0;
  const char* err_reason_ = "";
  std::uint64_t err_offset_ = 0;
};

}  // namespace lwspp::h1
