// Request paths of the static file server: normalisation (pure) and opening
// a normalised path under a document root without ever leaving it.
//
// Order of use, once per request, before routing:
//
//   std::string path;                       // reused between requests
//   if (auto n = normalize_path(raw, path); !n) answer(n.status());      // 400
//   opened_file f = resolve_under_root(root, path, opts);
//   switch (f.status) { ... }               // 200 / directory / 404 / 403 / 500
//
// The rules are in docs/static-files.md ("Path normalisation", "Symlinks").
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "lwspp/result.hpp"

namespace lwspp::http {

// Why normalize_path refused a path. Every refusal is answered with 400.
enum class path_error : std::uint8_t {
  none,
  not_absolute,  // empty, or does not start with '/' (not the path of an origin-form target)
  bad_escape,    // '%' not followed by two hex digits ("%", "%2", "%zz")
  nul_byte,      // a NUL byte, raw or decoded from %00
  control_byte,  // a byte 0x01-0x1F or 0x7F, raw or decoded (%0a, %7f): never in a file name
                 // we serve, and a classic log/header injection vector
};

// Fixed text for a path_error ("invalid percent-escape").
std::string_view to_string(path_error e) noexcept;

struct normalize_result {
  path_error error = path_error::none;
  std::size_t offset = 0;  // byte offset in the raw path of the refused byte or '%'

  bool ok() const noexcept { return error == path_error::none; }
  explicit operator bool() const noexcept { return ok(); }
  // 0 when ok, else the HTTP status to answer with (400).
  int status() const noexcept { return ok() ? 0 : 400; }
};

// Turns the raw path of an origin-form request target (the part before '?')
// into the path to look up:
//
//  - percent-decodes once ("%252e" becomes the three bytes "%2e", a file name);
//    a decoded "%2F" is a '/' like any other, so "%2e%2e%2f" is a ".." segment;
//  - removes "." and ".." segments (RFC 3986 §5.2.4), clamped at the root:
//    "/../../etc/passwd" becomes "/etc/passwd";
//  - collapses repeated slashes: "//a///b" becomes "/a/b";
//  - keeps a trailing slash, and adds one when the last segment was "." or
//    "..": "/a/b/.." becomes "/a/" (a directory).
//
// A backslash is an ordinary byte. On POSIX it is a character of a file name,
// not a separator, so "\..\" is a file name that cannot climb anywhere.
// Bytes >= 0x80 are kept as they are (file names are bytes; overlong UTF-8
// such as "%c0%ae" is two bytes of a name, never a '.').
//
// On success `out` starts with '/' and contains no "//", no "/./" or "/../"
// (nor ends in "/." or "/.."), no NUL and no control byte; it is never longer
// than raw_path. On failure `out` is unspecified. `out` keeps its capacity, so
// a string reused across requests stops allocating.
normalize_result normalize_path(std::string_view raw_path, std::string& out);

// A directory that files are served from: an O_PATH descriptor and the
// directory's canonical path (realpath), both taken once when it is opened.
// Move-only; the descriptor is closed by the destructor.
class document_root {
 public:
  // Opens `path` (which must be a directory; symlinks in it are resolved once,
  // here). Fails with the errno of open(2) or realpath(3).
  static result<document_root> open(const std::string& path);

  document_root(document_root&& other) noexcept;
  document_root& operator=(document_root&& other) noexcept;
  document_root(const document_root&) = delete;
  document_root& operator=(const document_root&) = delete;
  ~document_root();

  int fd() const noexcept { return fd_; }
  // Canonical absolute path, without a trailing slash unless it is "/".
  const std::string& real_path() const noexcept { return real_path_; }

 private:
  document_root(int fd, std::string real_path) noexcept
      : fd_(fd), real_path_(std::move(real_path)) {}
  int fd_ = -1;
  std::string real_path_;
};

enum class resolve_method : std::uint8_t {
  automatic,       // openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) when the kernel has it
                   // (Linux >= 5.6), else the component walk
  component_walk,  // always the portable walk (openat with O_NOFOLLOW per component)
};

struct resolve_options {
  // Follow symbolic links whose target lies outside the root. Off: such a
  // link is answered with 403. Links that stay inside the root are always
  // followed.
  bool allow_symlinks_out = false;
  // Serve names that start with '.' (".git", ".env", ".htpasswd"). Off: any
  // such component of the request path is answered with 404, as if it did not
  // exist. "/.well-known/" (RFC 8615) is always served.
  bool serve_dotfiles = false;
  resolve_method method = resolve_method::automatic;  // tests force component_walk
};

enum class file_status : std::uint8_t {
  ok,            // a regular file, open for reading
  is_directory,  // a directory: the caller redirects "/dir" to "/dir/", or looks
                 // for "/dir/index.html" (resolved again through this function)
  not_found,     // 404: missing, a file used as a directory (ENOTDIR), a name too long,
                 // a dangling symlink, or a hidden dotfile
  forbidden,     // 403: permission denied, a symlink out of the root, a symlink loop,
                 // a magic link, or not a regular file (FIFO, socket, device)
  error,         // 500: anything else (EMFILE, EIO, ...); sys_errno says what
};

// The HTTP status for a file_status: 200 for ok and is_directory, 404, 403, 500.
int http_status(file_status s) noexcept;

// The outcome of resolve_under_root. Owns `fd` (closed by the destructor
// unless release()d). For ok the fd is O_RDONLY | O_CLOEXEC | O_NONBLOCK (the
// flag is meaningless for regular files; it keeps a FIFO from blocking the
// open). For is_directory the fd is O_RDONLY, or O_PATH when the directory may
// be searched but not listed. `st` is fstat(fd) for ok and is_directory.
class opened_file {
 public:
  opened_file() = default;
  opened_file(file_status s, int sys_errno) noexcept : status(s), sys_errno(sys_errno) {}
  opened_file(opened_file&& other) noexcept;
  opened_file& operator=(opened_file&& other) noexcept;
  opened_file(const opened_file&) = delete;
  opened_file& operator=(const opened_file&) = delete;
  ~opened_file();

  int fd() const noexcept { return fd_; }
  // Hands the descriptor to the caller, who closes it.
  int release() noexcept;
  void reset(int fd) noexcept;

  file_status status = file_status::error;
  int sys_errno = 0;  // the errno behind not_found / forbidden / error, 0 if none
  struct stat st = {};

 private:
  int fd_ = -1;
};

// Opens the normalised path `path` (as produced by normalize_path) under
// `root`. No component of the resolution ever leaves the root unless
// options.allow_symlinks_out says so. Safe against a concurrent swap of a
// directory for a symlink: every component is opened with O_NOFOLLOW (or by
// openat2 with RESOLVE_BENEATH), and a symlink is only followed after its
// target has been checked.
opened_file resolve_under_root(const document_root& root, std::string_view path,
                               const resolve_options& options = {});

}  // namespace lwspp::http
