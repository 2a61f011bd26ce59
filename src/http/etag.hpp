// Entity-tags for static files and conditional requests (RFC 9110 §8.8.3,
// §13.1, §13.2.2).
//
//   etag tag = make_etag(f.st);
//   switch (evaluate_preconditions({.if_none_match = inm, ...},
//                                  {.etag = tag.view(), .last_modified = f.st.st_mtime})) {
//     case precondition::proceed:      ... 200 (or 206 after If-Range)
//     case precondition::not_modified: ... 304
//     case precondition::failed:       ... 412
//   }
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string_view>

namespace lwspp::http {

// A strong entity-tag with its quotes, in a fixed buffer (no allocation):
//   "<mtime in ns, hex>-<size, hex>-<hash of the inode, 8 hex digits>"
// e.g. "\"17f1e2d3c4b5a697-1a2b-9c0d1e2f\"". The inode makes a file replaced
// by rename (atomic deploys, which may keep size and mtime) get a new tag; it
// is hashed so that inode numbers are not disclosed (CVE-2003-1418).
// "Strong-ish": a write that leaves mtime unchanged (rare, deliberate) keeps
// the tag.
class etag {
 public:
  static constexpr std::size_t max_size = 2 + 16 + 1 + 16 + 1 + 8;

  std::string_view view() const noexcept { return {buf_, len_}; }

 private:
  friend etag make_etag(std::uint64_t, std::int64_t, std::uint64_t) noexcept;
  char buf_[max_size] = {};
  std::uint8_t len_ = 0;
};

etag make_etag(std::uint64_t size, std::int64_t mtime_ns, std::uint64_t inode) noexcept;
etag make_etag(const struct stat& st) noexcept;

enum class etag_compare : std::uint8_t {
  strong,  // both strong and the same opaque-tag (If-Match, If-Range)
  weak,    // the same opaque-tag, W/ or not (If-None-Match)
};

// True when the field value `field` ("*" or a list of entity-tags, OWS and
// empty elements allowed) contains a tag matching `tag` ("\"abc\"" or
// "W/\"abc\""). "*" matches any current representation. A value that is not
// valid syntax matches nothing.
bool etag_list_matches(std::string_view field, std::string_view tag, etag_compare how) noexcept;

// The conditional fields of a request, std::nullopt when absent. Several
// field lines of one name are joined with ", " by the caller first.
struct conditional_request {
  std::optional<std::string_view> if_match = {};
  std::optional<std::string_view> if_none_match = {};
  std::optional<std::string_view> if_modified_since = {};
  std::optional<std::string_view> if_unmodified_since = {};
  bool get_or_head = true;  // false for other methods: If-None-Match then fails with 412
};

// What the selected representation is compared with.
struct validators {
  std::string_view etag = {};     // as sent in ETag, quotes included; empty if none
  std::time_t last_modified = 0;  // Last-Modified, whole seconds (st_mtime)
};

enum class precondition : std::uint8_t {
  proceed,       // serve normally (then consider Range / If-Range)
  not_modified,  // 304 (If-None-Match matched, or not modified since)
  failed,        // 412 (If-Match / If-Unmodified-Since false; If-None-Match on unsafe method)
};

// RFC 9110 §13.2.2, in its order:
//  1. If-Match present: false (no strong match; invalid syntax) -> failed.
//  2. Else If-Unmodified-Since, if a valid date: modified after it -> failed.
//  3. If-None-Match present: a weak match -> not_modified for GET/HEAD, else failed.
//  4. Else for GET/HEAD, If-Modified-Since, if a valid date: not modified
//     after it (second precision) -> not_modified. Ignored whenever
//     If-None-Match is present, even when that is invalid.
// Otherwise proceed. Dates are parsed with parse_http_date (all three formats).
precondition evaluate_preconditions(const conditional_request& request,
                                    const validators& current) noexcept;

}  // namespace lwspp::http
