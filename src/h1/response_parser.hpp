// lwspp::h1::response_parser — the sans-I/O HTTP/1.1 response decoder for
// clients (RFC 9112 §4, §5). Today it reads the head: status line and
// header section, as strictly as the request parser reads a request (no
// obs-fold, no bare CR, tokens where tokens belong, bounded sizes). A
// WebSocket client needs no more: after a 101 the rest of the bytes are the
// WebSocket's. Body framing (Content-Length, chunked, read until close) is
// for the HTTP client to add as further phases after on_head.
//
// Contract (one per codec, see docs/h1.md):
//   step s = p.feed(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, head, error }
// After `head`, bytes past s.consumed belong to what follows the head.
// head() stays valid until reset(); the parser copies the head (a client
// reads few of them, and this keeps the views valid whatever the caller
// does with its buffer).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "h1/field_lines.hpp"

namespace lwspp::h1 {

struct response_limits {
  std::size_t max_status_line = 8 * 1024;    // status line without CRLF
  std::size_t max_header_bytes = 16 * 1024;  // field lines and the empty line
  std::size_t max_headers = 100;             // field count
};

struct response_head {
  std::uint8_t version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  int status = 0;                  // 100-599
  std::string_view reason;         // may be empty
  std::vector<header_field> headers;
  std::string_view raw;  // the whole head; every view above points into it

  // The first field of that name (case-insensitive), or empty.
  std::string_view get(std::string_view name) const noexcept;
  // Every field of that name joined with ", " (RFC 9110 §5.3), into `store`
  // when there are several.
  std::string_view get_all(std::string_view name, std::string& store) const;
  // How many fields of that name came.
  std::size_t count(std::string_view name) const noexcept;
};

enum class response_event : std::uint8_t {
  need_more,  // all of the input was consumed; feed more
  head,       // the status line and header section are in: head() is valid
  error,      // the response is malformed: error_reason(), error_offset()
};

struct response_step {
  response_event ev = response_event::need_more;
  std::size_t consumed = 0;
};

class response_parser {
 public:
  explicit response_parser(response_limits limits = {}) : limits_(limits) {}

  response_step feed(std::string_view in);

  const response_head& head() const noexcept { return head_; }
  // After an error: a fixed reason, and the offset of the offending byte
  // from the start of the response.
  std::string_view error_reason() const noexcept { return err_reason_; }
  std::uint64_t error_offset() const noexcept { return err_offset_; }
  // Forget everything (a new response).
  void reset();

 private:
  using phase_fn = response_step (response_parser::*)(std::string_view in);
  response_step on_head(std::string_view in);   // gathering the head
  response_step on_after(std::string_view in);  // the head was delivered
  response_step on_error(std::string_view in);  // stays here until reset()
  bool parse_status_line(std::string_view line);
  response_step fail(const char* reason, std::uint64_t offset);

  response_limits limits_;
  response_head head_;
  std::string held_;            // the head so far
  std::size_t line_start_ = 0;  // first byte of the line being gathered
  std::size_t status_end_ = 0;  // one past the status line's LF; 0 until seen
  const char* err_reason_ = "";
  std::uint64_t err_offset_ = 0;
  phase_fn phase_ = &response_parser::on_head;
};

}  // namespace lwspp::h1
