// Range requests (RFC 9110 §14): the Range field against a file size, and
// If-Range.
//
//   if (range_field && if_range_matches(if_range, tag, mtime, time(nullptr))) {
//     range_set r = parse_range(*range_field, st.st_size);
//     switch (r.status()) {
//       case range_status::ignore:        ... 200, the whole file
//       case range_status::partial:       ... 206, r.size() parts (multipart if > 1)
//       case range_status::unsatisfiable: ... 416, Content-Range: bytes */<size>
//     }
//   }
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string_view>

namespace lwspp::http {

struct byte_range {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // > 0; offset + length <= the file size

  std::uint64_t last() const noexcept { return offset + length - 1; }  // for Content-Range
  friend bool operator==(const byte_range&, const byte_range&) = default;
};

enum class range_status : std::uint8_t {
  ignore,         // serve 200 with the whole file: no ranges, a unit other than "bytes",
                  // invalid syntax, more than max_ranges ranges, or an empty file
                  // asked for a suffix
  partial,        // serve 206 with the ranges
  unsatisfiable,  // serve 416: no range starts inside the file
};

// The outcome of parse_range: a status and up to `capacity` ranges, stored
// inline (no allocation).
class range_set {
 public:
  // The most ranges one request may ask for; a request with more is served
  // whole (nginx's max_ranges does the same). Bounds the parts of a
  // multipart/byteranges answer and the work of coalescing.
  static constexpr std::size_t capacity = 16;

  range_status status() const noexcept { return status_; }
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  const byte_range& operator[](std::size_t i) const noexcept { return ranges_[i]; }
  const byte_range* begin() const noexcept { return ranges_.data(); }
  const byte_range* end() const noexcept { return ranges_.data() + count_; }

 private:
  friend range_set parse_range(std::string_view, std::uint64_t, std::size_t) noexcept;
  std::array<byte_range, capacity> ranges_{};
  std::size_t count_ = 0;
  range_status status_ = range_status::ignore;
};

// Parses the Range field value `field` for a representation of `size` bytes.
//
//  - "bytes" (case-insensitive) is the only unit; "bytes=" then a list of
//    "first-last", "first-" and "-suffix", separated by commas with optional
//    blanks around them; empty list elements are allowed. Blanks anywhere else
//    (around '=' or '-') make the syntax invalid, as do "last < first", signs
//    and non-digits. Invalid syntax: ignore (RFC 9110 §14.2).
//  - More than max_ranges (at most range_set::capacity) list elements: ignore.
//  - A range is satisfiable when it starts inside the file ("-N" when N > 0);
//    "last" beyond the end is cut at the end; numbers of any length are fine
//    (they saturate). None satisfiable: unsatisfiable. An empty file has no
//    satisfiable range; but "-N" with N > 0, which RFC 9110 calls satisfiable
//    there, is served as a plain 200 (a 206 cannot describe zero bytes).
//  - When satisfiable ranges overlap or touch, all of them are sorted and
//    merged, so no byte is sent twice and the parts never add up to more than
//    the file (the "Apache Killer" request, CVE-2011-3192). RFC 9110 §14.2
//    allows coalescing. Ranges that neither overlap nor touch keep the
//    requested order, as §14.6 asks. (nginx instead serves the whole file when
//    the ranges add up to more than the file.)
range_set parse_range(std::string_view field, std::uint64_t size,
                      std::size_t max_ranges = range_set::capacity) noexcept;

// If-Range (RFC 9110 §13.1.5): true when the Range field should be honoured.
// `if_range` is the field value (blanks around it are ignored); `etag` the
// current ETag with its quotes (empty if none), `last_modified` the
// Last-Modified time, `now` the current time.
//  - An entity-tag: true only for a strong match (a W/ tag never matches).
//  - An HTTP-date (any of the three formats): true only if it equals
//    Last-Modified exactly and Last-Modified is a strong validator, i.e. at
//    least one second before `now` (§8.8.2.2).
//  - Anything else: false (serve the whole file).
bool if_range_matches(std::string_view if_range, std::string_view etag, std::time_t last_modified,
                      std::time_t now) noexcept;

}  // namespace lwspp::http
