// lwspp::h1::request_parser — the sans-I/O HTTP/1.1 request decoder
// (RFC 9112). It owns no socket and no timer: the caller feeds byte spans and
// gets one event per call. Strict by default: anything RFC 9112 lets a server
// reject is rejected, with the status to answer and the byte offset.
//
// Contract (one per codec, see docs/h1.md):
//   step s = p.feed(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, head, body, message_end, error }
// The caller re-feeds the unconsumed rest. Views in a step (and head()) stay
// valid until the next feed() or reset(); the parser copies input only when
// a request head arrives split over several feeds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "h1/chunked_decoder.hpp"
#include "h1/field_lines.hpp"
#include "http/known_headers.hpp"

namespace lwspp::h1 {

// Every limit has a safe default and a setting (lwspp-server exposes them).
struct parser_limits {
  std::size_t max_request_line = 8 * 1024;   // longer → 414
  std::size_t max_header_bytes = 16 * 1024;  // whole header section → 431
  std::size_t max_headers = 100;             // field count → 431
  std::size_t max_trailer_bytes = 4 * 1024;  // chunked trailers → 431
  std::size_t max_chunk_ext = 1024;          // chunk extensions per chunk → 400
  // Body limit for the current message; the owner may change it after the
  // head event (per route) with set_body_limit(). Over → 413.
  std::uint64_t max_body = 1024 * 1024;
};

// Named leniencies, all off by default.
struct parser_leniency {
  bool allow_bare_lf = false;  // accept "\n" line endings instead of "\r\n"
};

enum class target_form : std::uint8_t { origin, absolute, authority, asterisk };

// request_parser::clear_message() resets every member: add new ones there too.
struct request_head {
  std::string_view method;  // as received (case-sensitive token)
  http::method_id method_id = http::method_id::other;
  std::string_view target;  // raw request-target
  target_form form = target_form::origin;
  std::uint8_t version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  std::vector<header_field> headers;
  // Framing, decided from the headers.
  bool chunked = false;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  // Connection semantics (1.1: keep-alive unless "close"; 1.0: only with "keep-alive").
  bool keep_alive = true;
  bool expect_continue = false;       // "Expect: 100-continue"
  bool upgrade = false;               // "Connection: upgrade" and an Upgrade header
  std::string_view upgrade_protocol;  // the Upgrade header's value
  std::string_view host;              // the Host header (required in 1.1)
  // The whole head section, request line to the empty line: every view above
  // points into it, so a copy of it plus the offsets is a copy of the head.
  std::string_view raw;

  // First value of a header by id (empty if absent).
  std::string_view get(http::header_id id) const noexcept;
};

enum class event : std::uint8_t {
  need_more,    // all of the input was consumed; feed more
  head,         // the request line and headers are in: head() is valid
  body,         // step::data is a piece of the body (already de-chunked)
  message_end,  // the request is complete (trailers() valid); the next feed starts a new request
  error,        // the request is bad: answer error_status() with Connection: close
};

struct step {
  event ev = event::need_more;
  std::size_t consumed = 0;
  std::string_view data;  // for event::body
};

class request_parser {
 public:
  explicit request_parser(parser_limits limits = {}, parser_leniency lenient = {});

  step feed(std::string_view in);

  const request_head& head() const noexcept { return head_; }
  const std::vector<header_field>& trailers() const noexcept { return chunked_.trailers(); }
  // Body limit of the current message (called between messages: of the next
  // one). After message_end the configured limits.max_body applies again.
  void set_body_limit(std::uint64_t n) noexcept {
    limits_.max_body = n;
    chunked_.set_max_body(n);
  }

  // After event::error: the status to answer (400, 413, 414, 431, 501, 505),
  // a fixed reason, and the offset (from the start of this request) of the
  // offending byte.
  int error_status() const noexcept { return err_status_; }
  std::string_view error_reason() const noexcept { return err_reason_; }
  std::uint64_t error_offset() const noexcept { return err_offset_; }

  // Between messages: true when no byte of a next request has been seen.
  bool idle() const noexcept;
  // Forget everything (a new connection).
  void reset();

 private:
  // State is "which function handles the next bytes": every phase is a member
  // function that takes the unread input and returns either an event or the
  // bytes it used (after consuming all of them, or after moving to another
  // phase). feed() runs phases until one returns an event or wants more.
  using phase_fn = step (request_parser::*)(std::string_view in);

  step on_next(std::string_view in);     // a message ended: forget it, then on_start
  step on_start(std::string_view in);    // empty lines before a request line
  step on_head(std::string_view in);     // request line and header section
  step on_body(std::string_view in);     // Content-Length body
  step on_done(std::string_view in);     // message_end is due
  step on_chunked(std::string_view in);  // chunked body and trailers (chunked_decoder)
  step on_error(std::string_view in);    // stays here until reset()

  // Section scanning (the head): finds the empty line that ends it,
  // resuming at scan_, and applies the size limits. Returns the section's
  // length when its end is in `in`, 0 when all of `in` belongs to it, and
  // npos after an error (fail() was called).
  std::size_t scan_section(std::string_view in);
  // Completes the head: zero copy when it lies wholly in `in`, else held_.
  std::string_view take_section(std::string_view in, std::size_t end, std::size_t& used);
  bool parse_request_line(std::string_view h);
  bool parse_fields(std::string_view h, std::size_t pos, std::vector<header_field>& out);
  bool apply_fields(std::string_view h);
  void clear_message();
  step fail(int status, const char* reason, std::uint64_t offset);

  parser_limits limits_;
  parser_leniency lenient_;
  request_head head_;
  chunked_decoder chunked_;
  std::string held_;  // copy of a split head
  int err_status_ = 0;
  const char* err_reason_ = "";
  std::uint64_t err_offset_ = 0;
  std::uint64_t offset_ = 0;  // bytes consumed in this message (empty lines before it included)
  std::uint64_t body_left_ = 0;
  phase_fn phase_ = &request_parser::on_next;
  std::uint64_t max_body_ = 0;  // limits_.max_body as configured; restored at message_end

  // Section scan (positions relative to the section's first byte).
  std::size_t scan_ = 0;            // resume point of the end-of-section scan
  std::size_t line_start_ = 0;      // first byte of the line being scanned
  std::size_t line1_end_ = 0;       // LF of the request line; npos until seen
  std::uint64_t section_base_ = 0;  // offset_ of the section's first byte

  std::uint8_t empty_lines_ = 0;  // empty lines seen before this request line
  bool start_cr_ = false;         // on_start saw a CR and waits for its LF
};

}  // namespace lwspp::h1
