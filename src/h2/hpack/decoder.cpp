// The block decoder: one representation per step (RFC 7541 §6), strings
// decoded straight into the header list's arena.
#include "h2/hpack/decoder.hpp"

#include "h2/hpack/huffman.hpp"
#include "h2/hpack/integer.hpp"
#include "h2/hpack/static_table.hpp"

namespace lwspp::h2::hpack {

struct decoder::cursor {
  const std::uint8_t* p;
  const std::uint8_t* end;
};

decoder::decoder(decoder_settings s) : s_(s), table_(s.max_table_size) {}

void decoder::set_max_table_size(std::uint32_t max) {
  if (max < table_.max_size()) update_required_ = true;
  s_.max_table_size = max;
}

decode_result decoder::decode(std::span<const std::uint8_t> block, header_list& out) {
  out.clear();
  cursor c{block.data(), block.data() + block.size()};
  bool fields_started = false;
  bool too_large = false;
  while (c.p != c.end) {
    const std::uint8_t* const start = c.p;
    const auto fail = [&](error e) {
      return decode_result{e, static_cast<std::size_t>(start - block.data())};
    };
    if ((*c.p & 0xe0) == 0x20) {  // 001xxxxx: dynamic table size update (§6.3)
      if (fields_started) return fail(error::size_update_not_at_start);
      std::uint32_t size = 0;
      if (const error e = decode_integer(c.p, c.end, 5, size); e != error{}) return fail(e);
      if (size > s_.max_table_size) return fail(error::size_update_too_large);
      table_.set_max_size(size);
      update_required_ = false;
      continue;
    }
    if (update_required_) return fail(error::size_update_missing);
    fields_started = true;
    if (too_large && (*c.p & 0x80)) {
      // An indexed field changes no state: past the limit, check its index
      // and skip the copy (a block of 1-byte references to a 4 KiB entry
      // would otherwise copy 4 KiB per byte).
      std::uint32_t index = 0;
      if (const error e = decode_integer(c.p, c.end, 7, index); e != error{}) return fail(e);
      if (index == 0 || index > static_table_size + table_.count()) return fail(error::bad_index);
      continue;
    }
    const std::size_t arena_at = out.arena_.size();
    if (const error e = field(c, out); e != error{}) return fail(e);
    // Past the limit, fields are decoded (the table must stay in step with
    // the peer's) but not kept.
    if (too_large || out.list_size() > s_.max_header_list_size) {
      too_large = true;
      out.fields_.pop_back();
      out.arena_.resize(arena_at);
    }
  }
  if (update_required_) return {error::size_update_missing, block.size()};
  if (too_large) {
    out.clear();
    return {error::header_list_too_large, block.size()};
  }
  return {};
}

error decoder::field(cursor& c, header_list& out) {
  const std::uint8_t b = *c.p;
  if (b & 0x80) {  // 1xxxxxxx: indexed field (§6.1)
    std::uint32_t index = 0;
    if (const error e = decode_integer(c.p, c.end, 7, index); e != error{}) return e;
    if (index == 0) return error::bad_index;
    return name_at(index, out, true);
  }
  if (b & 0x40) return literal(c, out, 6, true, false);  // 01: with incremental indexing
  return literal(c, out, 4, false, (b & 0x10) != 0);     // 0000: without; 0001: never indexed
}

// Appends entry `index`'s name (and value) to the arena; with_value also
// commits the field.
error decoder::name_at(std::uint32_t index, header_list& out, bool with_value) {
  std::string_view name;
  std::string_view value;
  if (index <= static_table_size) {
    name = static_at(index).name;
    value = static_at(index).value;
  } else if (index - static_table_size <= table_.count()) {
    const auto e = table_.at(index - static_table_size - 1);
    name = e.name;
    value = e.value;
  } else {
    return error::bad_index;
  }
  const std::size_t at = out.arena_.size();
  out.arena_.append(name);
  if (with_value) {
    out.arena_.append(value);
    out.commit(at, name.size(), value.size(), false);
  }
  return {};
}

error decoder::literal(cursor& c, header_list& out, int prefix_bits, bool index,
                       bool never_indexed) {
  const std::size_t at = out.arena_.size();
  std::uint32_t name_index = 0;
  if (const error e = decode_integer(c.p, c.end, prefix_bits, name_index); e != error{}) return e;
  if (name_index != 0) {
    if (const error e = name_at(name_index, out, false); e != error{}) return e;
  } else if (const error e = string(c, out); e != error{}) {
    return e;
  }
  const std::size_t name_len = out.arena_.size() - at;
  if (const error e = string(c, out); e != error{}) return e;
  const std::size_t value_len = out.arena_.size() - at - name_len;
  out.commit(at, name_len, value_len, never_indexed);
  if (index) {
    const std::string_view all(out.arena_.data() + at, name_len + value_len);
    table_.insert(all.substr(0, name_len), all.substr(name_len));
  }
  return {};
}

// A string literal (§5.2), appended to the arena.
error decoder::string(cursor& c, header_list& out) {
  if (c.p == c.end) return error::truncated;
  const bool huffman = (*c.p & 0x80) != 0;
  std::uint32_t len = 0;
  if (const error e = decode_integer(c.p, c.end, 7, len); e != error{}) return e;
  if (len > s_.max_string_length) return error::string_too_long;
  if (len > static_cast<std::size_t>(c.end - c.p)) return error::truncated;
  const std::span<const std::uint8_t> raw(c.p, len);
  c.p += len;
  std::string& arena = out.arena_;
  const std::size_t at = arena.size();
  if (!huffman) {
    arena.append(reinterpret_cast<const char*>(raw.data()), raw.size());
    return {};
  }
  arena.resize(at + huffman_max_decoded(len));
  const std::ptrdiff_t n = huffman_decode(raw, arena.data() + at);
  if (n < 0) return error::bad_huffman;
  arena.resize(at + static_cast<std::size_t>(n));
  if (static_cast<std::size_t>(n) > s_.max_string_length) return error::string_too_long;
  return {};
}

}  // namespace lwspp::h2::hpack
