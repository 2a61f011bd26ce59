// Config errors, collected rather than thrown: --check lists every problem
// at once, each as "FILE:LINE: key "x": what is wrong".
//
// Problems are reported by JSON pointer; the locator turns the pointer into
// a line (a missing key is reported at the line of its object).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json_locator.hpp"

namespace lwspp_server {

class diagnostics {
 public:
  // source: the file name as given, or "<default>" for the embedded config.
  explicit diagnostics(std::string source, const json_locator* where = nullptr)
      : source_(std::move(source)), where_(where) {}

  void set_locator(const json_locator* where) noexcept { where_ = where; }

  // A problem with the value at pointer; key is the name the user wrote
  // (may be empty for problems that are not about one key).
  void error(std::string_view pointer, std::string_view key, std::string message);
  // A problem known only by line (a JSON syntax error).
  void error_at_line(int line, std::string message);

  // The line of the value at pointer (or of its nearest enclosing value), 0 if unknown.
  int line_of(std::string_view pointer) const { return where_ ? where_->nearest_line(pointer) : 0; }

  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  const std::string& source() const noexcept { return source_; }
  // Formatted, in the order of the lines they refer to.
  std::vector<std::string> formatted() const;

 private:
  struct item {
    int line;
    std::string key;
    std::string message;
  };
  std::string source_;
  const json_locator* where_;
  std::vector<item> items_;
};

}  // namespace lwspp_server
