// The block encoder: table lookups (static, then dynamic), the indexing
// policy documented in encoder.hpp, Huffman when shorter.
#include "h2/hpack/encoder.hpp"

#include <algorithm>
#include <array>

#include "h2/hpack/huffman.hpp"
#include "h2/hpack/integer.hpp"
#include "h2/hpack/static_table.hpp"

namespace lwspp::h2::hpack {
namespace {

// The protocol's initial table size (RFC 9113 §6.5.2): what the peer's
// decoder assumes until told otherwise.
constexpr std::uint32_t initial_table_size = 4096;

// Short cookies can be recovered by guessing through the compression ratio
// (RFC 7541 §7.1.3 suggests this bound).
constexpr std::size_t short_cookie = 20;

bool is_sensitive(std::string_view name, std::string_view value) noexcept {
  return name == "authorization" || name == "proxy-authorization" ||
         (name == "cookie" && value.size() < short_cookie);
}

bool rarely_repeats(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 10> names = {
      ":path",         "content-length", "etag",       "last-modified", "if-modified-since",
      "if-none-match", "location",       "set-cookie", "content-range", "age"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// :status 200, 204, 206, 304, 400, 404, 500 are static entries 8-14: the
// commonest response field, answered without a search.
std::uint32_t status_index(std::string_view v) noexcept {
  if (v.size() != 3) return 0;
  switch ((v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0')) {
    case 200:
      return 8;
    case 204:
      return 9;
    case 206:
      return 10;
    case 304:
      return 11;
    case 400:
      return 12;
    case 404:
      return 13;
    case 500:
      return 14;
    default:
      return 0;
  }
}

}  // namespace

encoder::encoder(encoder_settings s)
    : s_(s),
      table_(initial_table_size, true),
      target_(std::min(initial_table_size, s.max_table_size)),
      lowest_(target_),
      pending_(target_ != initial_table_size) {}

void encoder::set_peer_max_table_size(std::uint32_t max) {
  target_ = std::min(max, s_.max_table_size);
  lowest_ = std::min(lowest_, target_);
  pending_ = lowest_ != table_.max_size() || target_ != table_.max_size();
  ++generation_;
}

void encoder::size_updates(std::string& out) {
  if (!pending_) return;
  if (lowest_ < target_) {
    encode_integer(out, 0x20, 5, lowest_);
    table_.set_max_size(lowest_);
  }
  encode_integer(out, 0x20, 5, target_);
  table_.set_max_size(target_);
  lowest_ = target_;
  pending_ = false;
  ++generation_;
}

void encoder::encode(std::span<const header_field> fields, std::string& out) {
  size_updates(out);
  for (const header_field& f : fields)
    field(f, out);
}

void encoder::encode(const header_list& fields, std::string& out) {
  size_updates(out);
  for (const header_field f : fields)
    field(f, out);
}

void encoder::string(std::string_view s, std::string& out) const {
  if (s_.huffman) {
    const std::size_t h = huffman_size(s);
    if (h < s.size()) {
      encode_integer(out, 0x80, 7, static_cast<std::uint32_t>(h));
      const std::size_t at = out.size();
      out.resize(at + h);
      huffman_encode(s, out.data() + at);
      return;
    }
  }
  encode_integer(out, 0x00, 7, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

void encoder::field(const header_field& f, std::string& out) {
  const bool sensitive = f.never_indexed || is_sensitive(f.name, f.value);
  if (!sensitive && f.name == ":status") {
    if (const std::uint32_t i = status_index(f.value)) {
      encode_integer(out, 0x80, 7, i);
      return;
    }
  }
  const static_match st = static_find(f.name, f.value);
  if (!sensitive && st.full) {
    encode_integer(out, 0x80, 7, st.full);
    return;
  }
  const dynamic_table::match dy = table_.find(f.name, f.value);
  if (!sensitive && dy.full) {
    encode_integer(out, 0x80, 7, static_table_size + dy.full);
    return;
  }
  const std::uint32_t name_index = st.name ? st.name : dy.name ? static_table_size + dy.name : 0;
  const std::size_t entry_size = f.name.size() + f.value.size() + entry_overhead;
  const bool index =
      !sensitive && !rarely_repeats(f.name) && entry_size <= std::size_t{table_.max_size()} * 3 / 4;
  if (index)
    encode_integer(out, 0x40, 6, name_index);  // §6.2.1
  else
    encode_integer(out, sensitive ? 0x10 : 0x00, 4, name_index);  // §6.2.3, §6.2.2
  if (name_index == 0) string(f.name, out);
  string(f.value, out);
  if (index) {
    table_.insert(f.name, f.value);
    ++generation_;
  }
}

}  // namespace lwspp::h2::hpack
