// lwspp::h1::response_parser — the sans-I/O HTTP/1.1 response decoder for
// clients (RFC 9112 §4-§7). It reads the head (status line and fields) as
// strictly as the request parser reads a request (no obs-fold, no bare CR,
// tokens where tokens belong, bounded sizes), then the body as the head and
// the request frame it (§6.3): none, Content-Length, chunked (with
// h1/chunked_decoder.hpp), or until the server closes.
//
// Contract (one per codec, see docs/h1.md):
//   p.reset(head_request);    // before each response: was it a HEAD?
//   step s = p.feed(bytes);   // s.consumed bytes of `bytes` were used
//   switch (s.ev) { need_more, head, body, end, error }
//   ...at EOF: s = p.finish(); // end of a close-delimited body, or error
// Keep feeding the unconsumed rest until need_more. A 1xx (but 101) head
// is followed by the next head on the same feeds; a 101 head by end, after
// which the bytes belong to the next protocol. After end, reset() before
// the next response (pipelined responses come back to back).
// head() stays valid until the next head starts (after a 1xx) or reset():
// the parser copies the head (a client reads few of them, and this keeps
// the views valid whatever the caller does with its buffer). Body pieces
// point into the span fed. trailers() stays valid until reset().
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h1/chunked_decoder.hpp"
#include "h1/field_lines.hpp"

namespace lwspp::h1 {

struct response_limits {
  std::size_t max_status_line = 8 * 1024;    // status line without CRLF
  std::size_t max_header_bytes = 16 * 1024;  // field lines and the empty line
  std::size_t max_headers = 100;             // field count, and trailer field count
  std::size_t max_chunk_ext = 1024;          // chunk extension bytes per chunk size line
  std::size_t max_trailer_bytes = 4 * 1024;  // trailer fields and the empty line
  // No body limit here: the client bounds whole bodies.
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
  body,       // response_step::data is a piece of the body (already de-chunked)
  end,        // the response is complete; trailers() is valid
  error,      // the response is malformed: error_reason(), error_offset()
};

struct response_step {
  response_event ev = response_event::need_more;
  std::size_t consumed = 0;
  std::string_view data;  // for response_event::body
};

// How the body of the current response is delimited (RFC 9112 §6.3).
enum class body_framing : std::uint8_t {
  none,            // HEAD request, 1xx, 204, 304: end follows the head
  content_length,  // that many bytes
  chunked,         // the chunked coding is the final transfer coding
  until_close,     // no length given, or a coding other than chunked last
};

class response_parser {
 public:
  explicit response_parser(response_limits limits = {});

  response_step feed(std::string_view in);
  // The peer closed the connection: end for a body read until close (or a
  // pending end), error when a response was cut short or never began.
  // Consumes nothing.
  response_step finish();

  const response_head& head() const noexcept { return head_; }
  const std::vector<header_field>& trailers() const noexcept { return chunked_.trailers(); }

  // After head: the framing and what the head said about it.
  body_framing framing() const noexcept { return framing_; }
  bool chunked() const noexcept { return framing_ == body_framing::chunked; }
  // The Content-Length value, if the head had one (also on a response
  // without a body, e.g. to HEAD, where it is not the framing).
  std::optional<std::uint64_t> content_length() const noexcept {
    return has_length_ ? std::optional<std::uint64_t>(length_) : std::nullopt;
  }
  // Whether the connection can carry another request after this response:
  // HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
  // "Connection: keep-alive"; never after a 101 or a body read until close.
  bool keep_alive() const noexcept { return keep_alive_; }

  // After an error: a fixed reason, and the offset of the offending byte
  // from the start of the response (of the final one after a 1xx).
  std::string_view error_reason() const noexcept { return err_reason_; }
  std::uint64_t error_offset() const noexcept { return err_offset_; }

  // Before each response (a new one, or the next on the connection): whether
  // it answers a HEAD request, whose response has no body whatever its
  // fields say.
  void reset(bool head_request = false);

 private:
  // "Which function handles the next bytes": feed() runs phases until one
  // returns an event, or the phase that ran stayed the same (it then used
  // all of its input and wants more).
  using phase_fn = response_step (response_parser::*)(std::string_view in);
  response_step on_next(std::string_view in);         // a 1xx ended: forget it, then on_head
  response_step on_head(std::string_view in);         // gathering the head
  response_step on_no_body(std::string_view in);      // end is due
  response_step on_length(std::string_view in);       // Content-Length body
  response_step on_chunked(std::string_view in);      // chunked body (chunked_decoder)
  response_step on_until_close(std::string_view in);  // the rest of the connection
  response_step on_ended(std::string_view in);        // end was returned: reset() is due
  response_step on_error(std::string_view in);        // stays here until reset()
  bool parse_status_line(std::string_view line);
  bool apply_fields();
  response_step head_done(std::size_t used);
  void clear_head();
  response_step fail(const char* reason, std::uint64_t offset);

  response_limits limits_;
  response_head head_;
  chunked_decoder chunked_;
  std::string held_;            // the head so far
  std::size_t line_start_ = 0;  // first byte of the line being gathered
  std::size_t status_end_ = 0;  // one past the status line's LF; 0 until seen
  std::uint64_t offset_ = 0;    // bytes of this response consumed
  std::uint64_t length_ = 0;    // Content-Length, if has_length_
  std::uint64_t left_ = 0;      // Content-Length bytes still to come
  const char* err_reason_ = "";
  std::uint64_t err_offset_ = 0;
  phase_fn phase_ = &response_parser::on_head;
  body_framing framing_ = body_framing::none;
  bool has_length_ = false;
  bool keep_alive_ = false;
  bool head_request_ = false;
};

}  // namespace lwspp::h1
