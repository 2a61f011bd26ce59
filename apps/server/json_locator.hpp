// Lines of JSON values in the raw config text.
//
// nlohmann::json keeps no positions, but an error that says "line 7" is
// worth the small scan: the locator tokenizes the text once (strings and
// their escapes, objects, arrays, scalars) and remembers the line where each
// value starts, by JSON pointer. For an object member that is the line of its
// key. It also notices keys given twice, which nlohmann::json would silently
// collapse to the last one.
//
// The text is expected to be valid JSON (it is scanned after a successful
// parse); on anything else the scan stops and later lookups return 0.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lwspp_server {

class json_locator {
 public:
  struct duplicate {
    std::string pointer;  // "/vhosts/0/listen"
    int first_line = 0;
    int line = 0;  // the later occurrence, the one nlohmann::json keeps
  };

  json_locator() = default;
  explicit json_locator(std::string_view text);

  // 1-based line where the value at pointer starts (the key's line for an
  // object member); 0 if there is no such value.
  int line_of(std::string_view pointer) const;
  // Like line_of, but falls back to the nearest enclosing value that exists:
  // a missing key is reported where its object is.
  int nearest_line(std::string_view pointer) const;
  const std::vector<duplicate>& duplicates() const noexcept { return duplicates_; }

  // 1-based line of the byte at offset (0-based) in text.
  static int line_at_offset(std::string_view text, std::size_t offset);
  // RFC 6901 pointer building: "~" and "/" in keys are escaped.
  static std::string child(std::string_view pointer, std::string_view key);
  static std::string child(std::string_view pointer, std::size_t index);

 private:
  class scanner;
  void record(std::string pointer, int line);

  std::unordered_map<std::string, int> lines_;
  std::vector<duplicate> duplicates_;
};

}  // namespace lwspp_server
