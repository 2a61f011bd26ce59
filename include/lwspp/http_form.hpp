// lwspp::http forms: streaming, sans-I/O parsers for request bodies of type
// application/x-www-form-urlencoded and multipart/form-data (RFC 7578,
// RFC 2046 §5.1), and upload_to_directory, which streams file parts to disk.
//
// The parsers own no socket: feed them body chunks as they arrive (split
// anywhere), then call finish() when the body ends. Every limit has a
// default; an error is a value whose http_status() is the answer to send.
// See docs/forms.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "lwspp/error.hpp"
#include "lwspp/function.hpp"
#include "lwspp/result.hpp"

namespace lwspp::http {

// Errors of the form parsers (category "lwspp.form"). The status in
// brackets is what http_status() maps them to.
enum class form_error {
  bad_percent_encoding = 1,  // urlencoded: '%' not followed by two hex digits [400]
  name_too_long,             // urlencoded: a field name over max_name [413]
  value_too_long,            // a field value over its limit (urlencoded max_value,
                             // upload max_field_size or max_fields_bytes) [413]
  too_many_fields,           // urlencoded: more pairs than max_fields [413]
  not_form_data,             // Content-Type is not multipart/form-data [415]
  bad_boundary,              // no boundary parameter, given twice, or not 1-70 RFC 2046
                             // characters [400]
  malformed,                 // multipart framing or a part header broke RFC 2046/7578:
                             // the detail says what and where [400]
  missing_disposition,       // a part without "Content-Disposition: form-data; name=..." [400]
  part_header_too_large,     // a part's header section over max_part_header_bytes [413]
  too_many_parts,            // more parts than max_parts [413]
  part_too_large,            // one part's data over max_part_size [413]
  body_too_large,            // the whole body over max_total_size [413]
  incomplete,                // finish() before the close delimiter "--boundary--" [400]
  file_too_large,            // upload_to_directory: a file over max_file_size [413]
  cancelled,                 // a handler called multipart_parser::cancel() [400]
};

const std::error_category& form_error_category() noexcept;

inline std::error_code make_error_code(form_error e) noexcept {
  return {static_cast<int>(e), form_error_category()};
}

}  // namespace lwspp::http

template <>
struct std::is_error_code_enum<lwspp::http::form_error> : std::true_type {};

namespace lwspp::http {

// The HTTP status to answer an error of this header with: 400, 413 or 415
// for a form_error (see above); 507 for a full disk (ENOSPC, EDQUOT); 500
// for any other error (a file that could not be written).
int http_status(const std::error_code& ec) noexcept;

// ---------------------------------------------------------------------------
// application/x-www-form-urlencoded
// ---------------------------------------------------------------------------

struct urlencoded_limits {
  std::size_t max_name = 1024;          // decoded bytes of one field name
  std::size_t max_value = 1024 * 1024;  // decoded bytes of one value (the parser holds it)
  std::size_t max_fields = 1000;        // pairs in one body or query string
};

// Named leniencies, all off by default.
struct urlencoded_leniency {
  // Keep a '%' that is not followed by two hex digits as it is (what the
  // WHATWG URL parser does) instead of failing with bad_percent_encoding.
  bool keep_bad_percent = false;
};

// Decodes name=value pairs separated by '&': '+' is a space, %XX a byte.
// A pair without '=' has an empty value; empty pairs ("a=1&&b=2") are
// skipped. Names and values are bytes (no UTF-8 check).
class urlencoded_parser {
 public:
  using field_handler = unique_function<void(std::string_view name, std::string_view value)>;

  explicit urlencoded_parser(field_handler on_field, urlencoded_limits limits = {},
                             urlencoded_leniency lenient = {});

  // Consumes all of `chunk`, calling on_field (views valid during the call)
  // for each pair it completes. After an error every call returns it again.
  result<void> feed(std::string_view chunk);
  // The body ended: delivers the last pair. Call once.
  result<void> finish();

  std::uint64_t offset() const noexcept { return offset_; }  // bytes consumed
  std::size_t fields() const noexcept { return fields_; }    // pairs delivered

 private:
  result<void> fail(form_error e, std::uint64_t at, const char* what);
  result<void> append(char c);
  result<void> end_pair();

  field_handler on_field_;
  urlencoded_limits limits_;
  urlencoded_leniency lenient_;
  std::string name_;
  std::string value_;
  std::uint64_t offset_ = 0;
  std::uint64_t pct_offset_ = 0;  // where the pending '%' was
  std::size_t fields_ = 0;
  std::uint8_t pct_ = 0;       // 0: none, 1: after '%', 2: after '%X'
  char pct_hi_ = 0;            // the X of a pending "%X"
  bool in_value_ = false;      // '=' seen in this pair
  bool pair_started_ = false;  // a byte of this pair seen
  bool failed_ = false;
  bool finished_ = false;
  error_info error_;
};

// A whole body or query string (without the '?') at once.
result<std::vector<std::pair<std::string, std::string>>> parse_urlencoded(
    std::string_view text, urlencoded_limits limits = {}, urlencoded_leniency lenient = {});

// Appends "name=value" encoded as application/x-www-form-urlencoded, with
// a '&' first unless `out` is empty. Space becomes '+'; every byte but
// ALPHA DIGIT '*' '-' '.' '_' becomes %XX.
void append_urlencoded(std::string& out, std::string_view name, std::string_view value);

// ---------------------------------------------------------------------------
// multipart/form-data
// ---------------------------------------------------------------------------

// The boundary parameter of a Content-Type value such as
// `multipart/form-data; boundary="abc"` (token or quoted string). Errors:
// not_form_data for another media type, bad_boundary when the parameter is
// missing, repeated, empty, over 70 characters, ends in a space or holds a
// character RFC 2046 does not allow.
result<std::string> boundary_from_content_type(std::string_view content_type);

struct part_header {
  std::string name;   // as received
  std::string value;  // surrounding whitespace removed
};

// What on_part_begin gets. Names and filenames are unquoted, and the
// escapes browsers use (%22 for '"', %0D, %0A) are decoded; nothing else
// is: the filename is exactly what the client sent, never a safe path.
struct part_info {
  std::string name = {};          // Content-Disposition name=
  std::string filename = {};      // Content-Disposition filename=, "" when absent
  bool has_filename = false;      // a filename parameter was present (a file input)
  std::string content_type = {};  // the part's Content-Type; "" when absent (means text/plain)
  std::vector<part_header> headers = {};  // every header of the part, in order
};

struct multipart_limits {
  std::size_t max_part_header_bytes = 8 * 1024;     // header section of one part
  std::size_t max_parts = 128;                      // parts in one body
  std::uint64_t max_part_size = 32 * 1024 * 1024;   // data of one part
  std::uint64_t max_total_size = 64 * 1024 * 1024;  // the whole body, framing included
};

// Events, in order per part: on_part_begin, on_part_data (zero or more
// times, in pieces of any size), on_part_end. Views are valid during the
// call only. A handler may call cancel() on the parser to stop it.
struct multipart_handlers {
  unique_function<void(const part_info&)> on_part_begin = {};
  unique_function<void(std::string_view data)> on_part_data = {};
  unique_function<void()> on_part_end = {};
};

class multipart_parser {
 public:
  // `boundary` as from boundary_from_content_type (an invalid one makes
  // the first feed() fail with bad_boundary).
  multipart_parser(std::string_view boundary, multipart_handlers handlers,
                   multipart_limits limits = {});

  // Consumes `chunk` (split anywhere). Bytes that might start a delimiter
  // are held back (at most boundary length + 4), all else is delivered
  // before feed returns. After an error every call returns it again; an
  // error's detail names the byte offset in the body.
  result<void> feed(std::string_view chunk);
  // The body ended: incomplete unless the close delimiter was seen.
  result<void> finish();
  // From a handler: stop parsing; feed() returns `why` (form_error::cancelled
  // when `why` holds no error).
  void cancel(error_info why = {});

  bool done() const noexcept { return state_ == state::epilogue; }  // close delimiter seen
  std::uint64_t offset() const noexcept { return offset_; }         // bytes consumed
  std::size_t parts() const noexcept { return parts_; }             // parts begun

 private:
  enum class state : std::uint8_t {
    preamble,    // before the first delimiter: discarded
    boundary,    // just after "--boundary": "--", padding or CRLF follows
    close_dash,  // after "--boundary-": the second '-' must follow
    padding,     // transport padding (SP / HTAB) before CRLF
    padding_cr,  // CR seen: LF must follow
    headers,     // a part's header lines
    data,        // a part's data, scanning for "\r\n--boundary"
    epilogue,    // after the close delimiter: discarded
    failed,
  };

  std::size_t scan_delimiter(std::string_view in, std::size_t pos);
  std::size_t scan_headers(std::string_view in, std::size_t pos);
  bool on_delimiter_char(char c);
  bool header_line_done();
  bool begin_part();
  bool deliver(std::string_view data, std::uint64_t at);
  bool fail(form_error e, std::uint64_t at, std::string_view what);

  std::string needle_;  // "\r\n--" + boundary
  multipart_handlers handlers_;
  multipart_limits limits_;
  part_info part_;
  std::string line_;              // the header line being read
  std::uint64_t offset_ = 0;      // bytes consumed
  std::uint64_t part_size_ = 0;   // data bytes of this part
  std::size_t header_bytes_ = 0;  // header bytes of this part
  std::size_t parts_ = 0;
  std::size_t matched_ = 0;  // bytes of needle_ matched, held back
  state state_ = state::preamble;
  bool in_part_ = false;  // a part is open (on_part_end pending)
  error_info error_;
};

// ---------------------------------------------------------------------------
// Uploads to disk
// ---------------------------------------------------------------------------

// A filename a client sent, made safe as one name in a directory: the part
// after the last '/' or '\', without control characters, with every ".."
// collapsed to "." and leading or trailing dots and spaces removed, cut to
// 200 bytes (keeping the extension, never inside a UTF-8 sequence);
// "upload" if nothing is left.
std::string sanitize_filename(std::string_view filename);

struct upload_options {
  std::string directory = {};                      // existing directory the files go to
  std::uint64_t max_file_size = 16 * 1024 * 1024;  // one file [file_too_large, 413]
  std::size_t max_field_size = 64 * 1024;          // one non-file field's value [413]
  std::size_t max_fields_bytes = 256 * 1024;       // names + values of all fields [413]
  unsigned file_mode = 0600;                       // permissions of created files
  multipart_limits limits = {};                    // for the multipart parser
};

struct uploaded_file {
  std::string field = {};         // the form field's name
  std::string filename = {};      // as the client sent it: not a safe path
  std::string path = {};          // the file written: <directory>/<sanitised name>
  std::string content_type = {};  // the part's Content-Type, "" if none
  std::uint64_t size = 0;
};

// Streams a multipart/form-data body to disk, chunk by chunk (for example
// from an HTTP handler's body callback): each part with a non-empty
// filename becomes <directory>/<sanitize_filename(filename)>, created new
// (O_EXCL; "name-1.ext", "name-2.ext", ... when taken); other parts are
// kept in memory as fields. Writes are plain blocking write(2) calls, in
// pieces of up to 64 KiB.
//
// On any error, and when destroyed before finish() succeeded, every file it
// wrote is removed. After finish() succeeded the files belong to the caller.
class upload_to_directory {
 public:
  // `content_type`: the request's Content-Type value. Fails with the
  // boundary_from_content_type errors, or when the directory cannot be opened.
  static result<std::unique_ptr<upload_to_directory>> make(std::string_view content_type,
                                                           upload_options options);
  ~upload_to_directory();
  upload_to_directory(const upload_to_directory&) = delete;
  upload_to_directory& operator=(const upload_to_directory&) = delete;

  result<void> feed(std::string_view chunk);
  result<void> finish();
  // Give up: remove every file written so far (also after finish()).
  void discard();

  const std::vector<uploaded_file>& files() const noexcept { return files_; }
  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept {
    return fields_;
  }
  // The first value of a field, "" if absent.
  std::string_view field(std::string_view name) const noexcept;

 private:
  struct private_tag {};

 public:
  upload_to_directory(private_tag, int dir_fd, std::string_view boundary, upload_options options);

 private:
  void on_begin(const part_info& info);
  void on_data(std::string_view data);
  void on_end();
  bool flush_file();
  void close_file();
  void fail(error_info e);
  void remove_files();

  upload_options options_;
  multipart_parser parser_;
  std::vector<uploaded_file> files_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::string buffer_;  // file bytes not yet written
  std::size_t fields_bytes_ = 0;
  int dir_fd_ = -1;
  int file_fd_ = -1;
  std::uint8_t part_kind_ = 0;  // 0: ignored, 1: field, 2: file
  bool finished_ = false;
  bool failed_ = false;
  error_info error_;
};

}  // namespace lwspp::http
