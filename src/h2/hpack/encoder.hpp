// lwspp::h2::hpack::encoder — encodes header lists into HPACK blocks
// (RFC 7541), sans-I/O. One encoder per connection direction: it owns the
// dynamic table the peer's decoder mirrors.
//
// Strategy (docs/http2.md, "HPACK"):
//  - a field equal to a static or dynamic entry is sent as its index;
//  - sensitive fields are sent "never indexed" (§6.2.3, §7.1.3), with the
//    name as an index when there is one: any field flagged never_indexed
//    (so a decoded never-indexed field stays so when forwarded),
//    authorization, proxy-authorization, and cookies under 20 bytes (short
//    enough to guess by brute force through the compression ratio);
//  - fields whose values rarely repeat are sent without indexing, so they
//    don't push reusable entries out: :path (each request of a page names
//    another resource), content-length, etag, last-modified,
//    if-modified-since, if-none-match, location, set-cookie, content-range,
//    age, and any field bigger than 3/4 of the table;
//  - everything else is indexed;
//  - each string is Huffman-coded when that is shorter.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "h2/hpack/dynamic_table.hpp"
#include "h2/hpack/header_list.hpp"

namespace lwspp::h2::hpack {

struct encoder_settings {
  // The most table we keep for the peer, whatever its SETTINGS_HEADER_TABLE_SIZE
  // allows (memory per connection).
  std::uint32_t max_table_size = 4096;
  // Huffman-code strings when shorter (off: always raw, for tests and peers
  // that want it).
  bool huffman = true;
};

class encoder {
 public:
  explicit encoder(encoder_settings s = {});

  // Appends one header block holding `fields` to `out`, starting with the
  // dynamic table size updates a table size change calls for.
  void encode(std::span<const header_field> fields, std::string& out);
  void encode(const header_list& fields, std::string& out);

  // The peer's SETTINGS_HEADER_TABLE_SIZE (initially 4096). The table's
  // maximum becomes min(this, settings.max_table_size); the next block starts
  // with the update(s) (§4.2: the smallest maximum of the interval first).
  void set_peer_max_table_size(std::uint32_t max);

  const dynamic_table& table() const noexcept { return table_; }
  // Changes whenever the next block could come out differently for the same
  // fields: an entry inserted (or evicted), a table size change to announce.
  // Equal generations around an encode() mean it left the table untouched.
  std::uint64_t generation() const noexcept { return generation_; }

 private:
  void size_updates(std::string& out);
  void field(const header_field& f, std::string& out);
  void string(std::string_view s, std::string& out) const;

  encoder_settings s_;
  dynamic_table table_;
  std::uint32_t target_;  // the maximum to announce
  std::uint32_t lowest_;  // the smallest target since the last announcement
  bool pending_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace lwspp::h2::hpack
