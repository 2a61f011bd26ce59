// libFuzzer target for the HPACK decoder and encoder (src/h2/hpack/).
//
// The first byte picks the settings: the decoder's table size (bits 0-1:
// 4096, 256, 0, 65536), a small header list limit (bit 2) and string limit
// (bit 3); the second, where to cut the rest into two blocks that share the
// dynamic table. Each block is decoded; contract checks: the error offset
// lies within the block, a too-large list leaves nothing behind and the
// decoder usable, a successful list stays within the limit. Every list that
// decodes goes through our encoder and a second decoder (one pair for the
// whole input, so their tables evolve across blocks) and must come back
// equal, never-indexed fields still never-indexed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "h2/hpack/decoder.hpp"
#include "h2/hpack/encoder.hpp"

namespace {

using namespace lwspp::h2::hpack;

void check(bool ok) {
  if (!ok) std::abort();
}

void round_trip(const header_list& in, encoder& enc, decoder& dec) {
  std::string block;
  enc.encode(in, block);
  header_list out;
  const decode_result r = dec.decode(block, out);
  check(r.ok());
  check(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    check(out[i].name == in[i].name);
    check(out[i].value == in[i].value);
    if (in[i].never_indexed) check(out[i].never_indexed);
  }
  // The two tables are one table seen from both ends.
  check(enc.table().count() == dec.table().count());
  check(enc.table().size() == dec.table().size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr std::uint32_t table_sizes[] = {4096, 256, 0, 65536};
  const decoder_settings s{
      .max_table_size = table_sizes[data[0] & 3],
      .max_header_list_size = (data[0] & 4) ? 200u : 64u * 1024,
      .max_string_length = (data[0] & 8) ? 40u : 64u * 1024,
  };
  const std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t cut = rest.empty() ? 0 : data[1] % (rest.size() + 1);

  decoder d(s);
  if (s.max_table_size != 4096) d.set_max_table_size(s.max_table_size);
  encoder enc({.max_table_size = 4096});
  decoder mirror(
      {.max_table_size = 4096, .max_header_list_size = 1u << 30, .max_string_length = 1u << 30});
  header_list out;
  for (const std::string_view block : {rest.substr(0, cut), rest.substr(cut)}) {
    const decode_result r = d.decode(block, out);
    check(r.offset <= block.size());
    if (r.err == error::header_list_too_large) {
      check(out.empty());
      continue;
    }
    if (!r.ok()) break;  // a compression error ends the connection
    check(out.list_size() <= s.max_header_list_size);
    round_trip(out, enc, mirror);
  }
  return 0;
}
