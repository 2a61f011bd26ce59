// Request path normalisation and opening a path under a document root.
#include "http/path.hpp"
#include "util/ascii.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

namespace lwspp::http {

std::string_view to_string(path_error e) noexcept {
  switch (e) {
    case path_error::none:
      return "ok";
    case path_error::not_absolute:
      return "path does not start with '/'";
    case path_error::bad_escape:
      return "invalid percent-escape";
    case path_error::nul_byte:
      return "NUL byte in path";
    case path_error::control_byte:
      return "control character in path";
  }
  return "unknown path error";
}

namespace {

bool is_control(unsigned char c) noexcept {
  return c < 0x20 || c == 0x7f;
}

// Pass 1: percent-decode `raw` into `out`, refusing what no file name of ours
// may contain.
normalize_result decode(std::string_view raw, std::string& out) {
  out.clear();
  if (raw.empty() || raw[0] != '/') return {path_error::not_absolute, 0};
  // Decoding never lengthens: write through a pointer, then cut.
  out.resize(raw.size());
  char* const start = out.data();
  char* w = start;
  const auto fail = [&](path_error e, std::size_t at) {
    out.resize(static_cast<std::size_t>(w - start));
    return normalize_result{e, at};
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::size_t at = i;
    unsigned char byte = static_cast<unsigned char>(raw[i]);
    if (byte == '%') {
      const int hi = i + 2 < raw.size() ? util::hex_digit(raw[i + 1]) : -1;
      const int lo = hi >= 0 ? util::hex_digit(raw[i + 2]) : -1;
      if (lo < 0) return fail(path_error::bad_escape, at);
      byte = static_cast<unsigned char>(hi * 16 + lo);
      i += 2;
    }
    if (byte == 0) return fail(path_error::nul_byte, at);
    if (is_control(byte)) return fail(path_error::control_byte, at);
    *w++ = static_cast<char>(byte);
  }
  out.resize(static_cast<std::size_t>(w - start));
  return {};
}

// Pass 2, in place: drop empty and "." segments, pop on "..", never above the
// root. The result written so far, s[0, w), always ends with '/' while more
// segments follow, and the write position never passes the read position.
void remove_dot_segments(std::string& s) {
  const std::size_t n = s.size();
  std::size_t w = 1;  // s[0] is '/'
  std::size_t r = 1;
  while (r < n) {
    std::size_t e = s.find('/', r);
    if (e == std::string::npos) e = n;
    const std::string_view seg(s.data() + r, e - r);
    if (seg.empty() || seg == ".") {
      // "//" or "/./": nothing to add; a final "." leaves the trailing '/'.
    } else if (seg == "..") {
      if (w > 1) {
        --w;  // the '/' that ends the last segment
        while (s[w - 1] != '/')
          --w;  // the segment itself
      }
    } else {
      if (w != r) std::memmove(s.data() + w, s.data() + r, seg.size());
      w += seg.size();
      if (e < n) s[w++] = '/';
    }
    r = e + 1;
  }
  s.resize(w);
}

// Most request paths are already in normal form ("/", "/index.html",
// "/api/v1/items"): no '%', no control byte, no "//" and no segment that
// starts with '.'. Such a path is copied as it is, in one pass, instead of
// being decoded and then rewritten (the common case of every request).
bool already_normal(std::string_view raw) noexcept {
  if (raw.empty() || raw[0] != '/') return false;
  const std::size_t n = raw.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '%' || is_control(c)) return false;
    if (c == '/' && i + 1 < n && (raw[i + 1] == '/' || raw[i + 1] == '.')) return false;
  }
  return true;
}

}  // namespace

normalize_result normalize_path(std::string_view raw_path, std::string& out) {
  if (already_normal(raw_path)) {
    out.assign(raw_path);
    return {};
  }
  const normalize_result decoded = decode(raw_path, out);
  if (!decoded) return decoded;
  remove_dot_segments(out);
  return {};
}

// ---------------------------------------------------------------------------
// document_root
// ---------------------------------------------------------------------------

result<document_root> document_root::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return error_info(std::error_code(errno, std::system_category()), "open document root " + path);
  }
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    const int err = errno;
    ::close(fd);
    return error_info(std::error_code(err, std::system_category()),
                      "realpath of document root " + path);
  }
  std::string canonical(real);
  std::free(real);
  return document_root(fd, std::move(canonical));
}

document_root::document_root(document_root&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), real_path_(std::move(other.real_path_)) {}

document_root& document_root::operator=(document_root&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    real_path_ = std::move(other.real_path_);
  }
  return *this;
}

document_root::~document_root() {
  if (fd_ >= 0) ::close(fd_);
}

// ---------------------------------------------------------------------------
// opened_file
// ---------------------------------------------------------------------------

opened_file::opened_file(opened_file&& other) noexcept
    : status(other.status),
      sys_errno(other.sys_errno),
      st(other.st),
      fd_(std::exchange(other.fd_, -1)) {}

opened_file& opened_file::operator=(opened_file&& other) noexcept {
  if (this != &other) {
    reset(std::exchange(other.fd_, -1));
    status = other.status;
    sys_errno = other.sys_errno;
    st = other.st;
  }
  return *this;
}

opened_file::~opened_file() {
  reset(-1);
}

int opened_file::release() noexcept {
  return std::exchange(fd_, -1);
}

void opened_file::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int http_status(file_status s) noexcept {
  switch (s) {
    case file_status::ok:
    case file_status::is_directory:
      return 200;
    case file_status::not_found:
      return 404;
    case file_status::forbidden:
      return 403;
    case file_status::error:
      return 500;
  }
  return 500;
}

// ---------------------------------------------------------------------------
// resolve_under_root
// ---------------------------------------------------------------------------

namespace {

// How the final component is opened. O_NONBLOCK keeps a FIFO from blocking
// open(); O_NOCTTY keeps a terminal device from becoming ours.
constexpr int file_flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
// Intermediate directories: search permission is all a lookup needs.
constexpr int dir_flags = O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
// The kernel's own limit on symlinks followed in one lookup (MAXSYMLINKS).
constexpr int max_symlinks = 40;

// Set once openat2 answered ENOSYS (kernel < 5.6, or a seccomp filter).
std::atomic<bool> openat2_missing{false};

file_status status_for_errno(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return file_status::not_found;
    case EACCES:
    case EPERM:
    case ELOOP:
    case EMLINK:
    case EXDEV:
    case ENXIO:  // a socket file
      return file_status::forbidden;
    default:
      return file_status::error;
  }
}

opened_file failed(int err) {
  return opened_file(status_for_errno(err), err);
}

// Takes ownership of fd and classifies what it refers to.
opened_file finish(int fd, bool want_dir) {
  opened_file f(file_status::ok, 0);
  f.reset(fd);
  if (::fstat(fd, &f.st) != 0) return opened_file(file_status::error, errno);
  if (S_ISDIR(f.st.st_mode)) {
    f.status = file_status::is_directory;
  } else if (want_dir) {
    return opened_file(file_status::not_found, ENOTDIR);  // "/file.txt/"
  } else if (!S_ISREG(f.st.st_mode)) {
    return opened_file(file_status::forbidden, 0);  // FIFO, socket, device
  }
  return f;
}

// After EACCES on the final component: a directory that may be searched but
// not read is still a directory (its index.html may be readable).
opened_file directory_or_forbidden(int o_path_fd) {
  if (o_path_fd < 0) return failed(EACCES);
  opened_file f = finish(o_path_fd, true);
  if (f.status != file_status::is_directory) return failed(EACCES);
  return f;
}

// A path component starting with '.' that is not the leading ".well-known".
bool has_hidden_component(std::string_view path) noexcept {
  std::size_t i = 1;
  bool first = true;
  while (i < path.size()) {
    std::size_t e = path.find('/', i);
    if (e == std::string_view::npos) e = path.size();
    const std::string_view seg = path.substr(i, e - i);
    if (!seg.empty() && seg[0] == '.' && !(first && seg == ".well-known")) return true;
    first = false;
    i = e + 1;
  }
  return false;
}

bool is_inside(std::string_view root, std::string_view target) noexcept {
  if (root == "/") return true;
  return target.size() >= root.size() && target.substr(0, root.size()) == root &&
         (target.size() == root.size() || target[root.size()] == '/');
}

long sys_openat2(int dirfd, const char* path, int flags, std::uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = resolve;
  return ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// The fast path. Sets `fall_back` when the portable walk has to decide: the
// kernel has no openat2, or the lookup left the root (EXDEV), which may be an
// absolute symlink that points back inside.
opened_file open_beneath(int root_fd, const char* rel, bool want_dir, const resolve_options& o,
                         bool& fall_back) {
  const std::uint64_t resolve =
      RESOLVE_NO_MAGICLINKS | (o.allow_symlinks_out ? 0 : RESOLVE_BENEATH);
  const long fd = sys_openat2(root_fd, rel, file_flags, resolve);
  if (fd >= 0) return finish(static_cast<int>(fd), want_dir);
  const int err = errno;
  switch (err) {
    case ENOSYS:
      openat2_missing.store(true, std::memory_order_relaxed);
      fall_back = true;
      return {};
    case EXDEV:   // left the root: maybe an absolute link back in
    case EAGAIN:  // the kernel could not rule out a ".." race
    case EPERM:   // possibly a seccomp filter; a real EPERM recurs in the walk
      fall_back = true;
      return {};
    case EACCES:
      return directory_or_forbidden(
          static_cast<int>(sys_openat2(root_fd, rel, O_PATH | O_CLOEXEC, resolve)));
    default:
      return failed(err);
  }
}

struct owned_fd {
  int fd = -1;
  owned_fd() = default;
  owned_fd(const owned_fd&) = delete;
  owned_fd& operator=(const owned_fd&) = delete;
  ~owned_fd() { reset(-1); }
  void reset(int f) noexcept {
    if (fd >= 0) ::close(fd);
    fd = f;
  }
  int release() noexcept { return std::exchange(fd, -1); }
};

// Pushes the components of `path` onto `todo` so that the first is on top.
void push_components(std::string_view path, std::vector<std::string>& todo) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t e = path.find('/', i);
    if (e == std::string_view::npos) e = path.size();
    if (e > i) parts.emplace_back(path.substr(i, e - i));
    i = e + 1;
  }
  todo.insert(todo.end(), std::make_move_iterator(parts.rbegin()),
              std::make_move_iterator(parts.rend()));
}

// The portable walk: one openat(O_NOFOLLOW) per component from the root's
// descriptor. A symlink is resolved with realpath(3) and followed only if its
// target is inside the root's canonical path (or options allow leaving it);
// the walk then restarts from the root with the target's canonical
// components, still with O_NOFOLLOW, so a link swapped in meanwhile is caught.
opened_file walk(const document_root& root, std::string_view path, bool want_dir,
                 const resolve_options& o) {
  std::string_view root_real = root.real_path();
  if (root_real == "/") root_real = {};  // so that root_real + "/" + name is right
  std::vector<std::string> todo;
  push_components(path, todo);
  owned_fd cur;                 // -1 while at the root
  std::string done(root_real);  // canonical path of cur
  int hops = 0;
  while (!todo.empty()) {
    const std::string name = std::move(todo.back());
    todo.pop_back();
    const bool last = todo.empty();
    const int dirfd = cur.fd >= 0 ? cur.fd : root.fd();
    const int fd = ::openat(dirfd, name.c_str(), last ? file_flags | O_NOFOLLOW : dir_flags);
    if (fd >= 0) {
      cur.reset(fd);
      done.append("/").append(name);
      continue;
    }
    const int err = errno;
    struct stat lst = {};
    const bool is_link = (err == ELOOP || err == ENOTDIR) &&
                         ::fstatat(dirfd, name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
                         S_ISLNK(lst.st_mode);
    if (!is_link) {
      if (last && err == EACCES) {
        return directory_or_forbidden(
            ::openat(dirfd, name.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW));
      }
      return failed(err);
    }
    if (++hops > max_symlinks) return failed(ELOOP);
    const std::string link_path = done + "/" + name;
    char* resolved = ::realpath(link_path.c_str(), nullptr);
    if (resolved == nullptr) return failed(errno);  // dangling (404), loop (403)
    const std::string target(resolved);
    std::free(resolved);
    if (is_inside(root_real.empty() ? "/" : root_real, target)) {
      push_components(std::string_view(target).substr(root_real.size()), todo);
      cur.reset(-1);
      done.assign(root_real);
      continue;
    }
    if (!o.allow_symlinks_out) return failed(EXDEV);
    // Allowed out: the kernel resolves the rest, following links.
    std::string full = target;
    while (!todo.empty()) {
      full.append("/").append(todo.back());
      todo.pop_back();
    }
    if (want_dir) full.push_back('/');
    const int out_fd = ::open(full.c_str(), file_flags);
    if (out_fd < 0) {
      const int out_err = errno;
      if (out_err == EACCES)
        return directory_or_forbidden(::open(full.c_str(), O_PATH | O_CLOEXEC));
      return failed(out_err);
    }
    return finish(out_fd, want_dir);
  }
  if (cur.fd < 0) {  // the root itself ("/", or a link to the root)
    const int fd = ::openat(root.fd(), ".", file_flags);
    if (fd < 0) {
      const int err = errno;
      if (err == EACCES)
        return directory_or_forbidden(::openat(root.fd(), ".", O_PATH | O_CLOEXEC));
      return failed(err);
    }
    return finish(fd, true);
  }
  return finish(cur.release(), want_dir);
}

}  // namespace

opened_file resolve_under_root(const document_root& root, std::string_view path,
                               const resolve_options& options) {
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string_view::npos) {
    return opened_file(file_status::error, EINVAL);  // not a normalised path: a caller bug
  }
  if (path.size() >= PATH_MAX) return failed(ENAMETOOLONG);
  if (!options.serve_dotfiles && has_hidden_component(path)) return failed(ENOENT);
  const bool want_dir = path.back() == '/';

  if (options.method == resolve_method::automatic &&
      !openat2_missing.load(std::memory_order_relaxed)) {
    char rel[PATH_MAX];
    const std::string_view tail = path.substr(1);
    if (tail.empty()) {
      rel[0] = '.';
      rel[1] = '\0';
    } else {
      std::memcpy(rel, tail.data(), tail.size());
      rel[tail.size()] = '\0';
    }
    bool fall_back = false;
    opened_file f = open_beneath(root.fd(), rel, want_dir, options, fall_back);
    if (!fall_back) return f;
  }
  return walk(root, path, want_dir, options);
}

}  // namespace lwspp::http
