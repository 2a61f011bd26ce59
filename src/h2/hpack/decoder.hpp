// lwspp::h2::hpack::decoder — decodes HPACK header blocks (RFC 7541),
// sans-I/O. One decoder per connection direction: it owns the dynamic table
// the peer's encoder fills.
//
//   decoder d({.max_table_size = 4096, .max_header_list_size = 64 * 1024});
//   header_list fields;                       // reused from block to block
//   decode_result r = d.decode(block, fields);  // the whole block: the caller
//                                                // joins HEADERS + CONTINUATION
//   if (!r.ok()) is_connection_error(r.err) ? GOAWAY(COMPRESSION_ERROR) : 431
//
// A failed decode with a connection error leaves the table out of step with
// the peer's: the connection must end. header_list_too_large is the one
// exception: the block was decoded in full (the table is in step) and only
// the fields were dropped.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "h2/hpack/dynamic_table.hpp"
#include "h2/hpack/error.hpp"
#include "h2/hpack/header_list.hpp"

namespace lwspp::h2::hpack {

struct decoder_settings {
  // Our SETTINGS_HEADER_TABLE_SIZE: the most the peer's size updates may ask.
  std::uint32_t max_table_size = 4096;
  // Our SETTINGS_MAX_HEADER_LIST_SIZE (name + value + 32 per field). Over it
  // → header_list_too_large (431). 64 KiB holds large cookies.
  std::uint32_t max_header_list_size = 64 * 1024;
  // One name or value, as sent and as decoded. Over it → string_too_long.
  std::uint32_t max_string_length = 64 * 1024;
};

struct decode_result {
  error err = {};          // {} on success
  std::size_t offset = 0;  // on error: where in the block the failing
                           // representation starts
  bool ok() const noexcept { return err == error{}; }
};

class decoder {
 public:
  explicit decoder(decoder_settings s = {});

  // Decodes one whole header block into `out` (cleared first). On success
  // `out` holds every field in order.
  decode_result decode(std::span<const std::uint8_t> block, header_list& out);
  decode_result decode(std::string_view block, header_list& out) {
    return decode({reinterpret_cast<const std::uint8_t*>(block.data()), block.size()}, out);
  }

  // Our SETTINGS_HEADER_TABLE_SIZE changed (call when the peer acknowledged
  // it). Lowered below the table's current maximum, the next block must start
  // with a size update that obeys it (size_update_missing otherwise).
  void set_max_table_size(std::uint32_t max);
  void set_max_header_list_size(std::uint32_t max) noexcept { s_.max_header_list_size = max; }

  const dynamic_table& table() const noexcept { return table_; }

 private:
  struct cursor;
  error field(cursor& c, header_list& out);
  error literal(cursor& c, header_list& out, int prefix_bits, bool index, bool never_indexed);
  error string(cursor& c, header_list& out);
  error name_at(std::uint32_t index, header_list& out, bool with_value);

  decoder_settings s_;
  dynamic_table table_;
  bool update_required_ = false;
};

}  // namespace lwspp::h2::hpack
