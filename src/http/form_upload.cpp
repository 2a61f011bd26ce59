// upload_to_directory: multipart/form-data file parts streamed to files in
// one directory, other parts kept as fields; sanitize_filename.
//
// Files are created with openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW)
// relative to the directory opened once, so a client can never name a path
// outside it, follow a symlink, or overwrite an existing file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "lwspp/http_form.hpp"

namespace lwspp::http {
namespace {

constexpr std::size_t write_chunk = 64 * 1024;  // buffered file bytes per write(2)
constexpr std::size_t max_name_bytes = 200;     // leaves room for "-NNNN" under NAME_MAX
constexpr std::size_t max_ext_bytes = 16;
constexpr int max_unique_tries = 10000;

enum : std::uint8_t { part_ignored, part_field, part_file };

error_info errno_info(int err, std::string what) {
  return {std::error_code(err, std::system_category()), std::move(what)};
}

std::string with_suffix(const std::string& name, int n) {
  const std::size_t dot = name.rfind('.');
  const std::string suffix = "-" + std::to_string(n);
  if (dot == std::string::npos || dot == 0) return name + suffix;
  return name.substr(0, dot) + suffix + name.substr(dot);
}

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string trim_dots_spaces(std::string_view s) {
  const std::size_t b = s.find_first_not_of(". ");
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(". ");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::string sanitize_filename(std::string_view filename) {
  const std::size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  std::string s;
  s.reserve(filename.size());
  for (const char c : filename) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;                      // control characters
    if (c == '.' && !s.empty() && s.back() == '.') continue;  // ".." -> "."
    s.push_back(c);
  }
  s = trim_dots_spaces(s);
  if (s.size() > max_name_bytes) {
    const std::size_t dot = s.rfind('.');
    std::string ext;
    if (dot != std::string::npos && dot > 0 && s.size() - dot <= max_ext_bytes) ext = s.substr(dot);
    std::size_t keep = max_name_bytes - ext.size();
    // Never cut inside a UTF-8 sequence: back up to its lead byte.
    while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80)
      --keep;
    s = trim_dots_spaces(std::string_view(s).substr(0, keep)) + ext;
    if (s == ext) s = "upload" + ext;
  }
  if (s.empty()) s = "upload";
  return s;
}

result<std::unique_ptr<upload_to_directory>> upload_to_directory::make(
    std::string_view content_type, upload_options options) {
  auto boundary = boundary_from_content_type(content_type);
  if (!boundary) return boundary.error();
  const int fd = ::open(options.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_info(errno, "upload directory " + options.directory);
  return std::make_unique<upload_to_directory>(private_tag{}, fd, boundary.value(),
                                               std::move(options));
}

upload_to_directory::upload_to_directory(private_tag, int dir_fd, std::string_view boundary,
                                         upload_options options)
    : options_(std::move(options)),
      parser_(boundary,
              multipart_handlers{
                  .on_part_begin = [this](const part_info& info) { on_begin(info); },
                  .on_part_data = [this](std::string_view data) { on_data(data); },
                  .on_part_end = [this] { on_end(); },
              },
              options_.limits),
      dir_fd_(dir_fd) {}

upload_to_directory::~upload_to_directory() {
  close_file();
  if (!finished_) remove_files();
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

result<void> upload_to_directory::feed(std::string_view chunk) {
  if (failed_) return error_;
  if (auto r = parser_.feed(chunk); !r) {
    if (!failed_) fail(r.error());
    return error_;
  }
  return {};
}

result<void> upload_to_directory::finish() {
  if (failed_) return error_;
  if (auto r = parser_.finish(); !r) {
    fail(r.error());
    return error_;
  }
  close_file();  // on_part_end closed it already; nothing left open
  finished_ = true;
  return {};
}

void upload_to_directory::discard() {
  close_file();
  remove_files();
}

std::string_view upload_to_directory::field(std::string_view name) const noexcept {
  for (const auto& [n, v] : fields_) {
    if (n == name) return v;
  }
  return {};
}

void upload_to_directory::on_begin(const part_info& info) {
  part_kind_ = part_ignored;
  if (!info.has_filename) {
    fields_bytes_ += info.name.size();
    if (fields_bytes_ > options_.max_fields_bytes) {
      return fail({form_error::value_too_long, "form fields larger than max_fields_bytes"});
    }
    fields_.emplace_back(info.name, std::string());
    part_kind_ = part_field;
    return;
  }
  if (info.filename.empty()) return;  // a file input left empty: browsers send filename=""
  const std::string name = sanitize_filename(info.filename);
  std::string chosen = name;
  int fd = -1;
  for (int n = 1; n <= max_unique_tries; ++n) {
    fd = ::openat(dir_fd_, chosen.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  static_cast<mode_t>(options_.file_mode));
    if (fd >= 0 || errno != EEXIST) break;
    chosen = with_suffix(name, n);
  }
  if (fd < 0) {
    return fail(errno_info(errno, "create " + options_.directory + "/" + chosen));
  }
  file_fd_ = fd;
  files_.push_back(uploaded_file{.field = info.name,
                                 .filename = info.filename,
                                 .path = options_.directory + "/" + chosen,
                                 .content_type = info.content_type,
                                 .size = 0});
  part_kind_ = part_file;
}

void upload_to_directory::on_data(std::string_view data) {
  if (part_kind_ == part_field) {
    std::string& value = fields_.back().second;
    if (data.size() > options_.max_field_size - value.size()) {
      return fail({form_error::value_too_long,
                   "field " + fields_.back().first + " larger than max_field_size"});
    }
    fields_bytes_ += data.size();
    if (fields_bytes_ > options_.max_fields_bytes) {
      return fail({form_error::value_too_long, "form fields larger than max_fields_bytes"});
    }
    value.append(data);
  } else if (part_kind_ == part_file) {
    uploaded_file& f = files_.back();
    if (data.size() > options_.max_file_size - f.size) {
      return fail({form_error::file_too_large, f.filename + " larger than max_file_size"});
    }
    f.size += data.size();
    buffer_.append(data);
    if (buffer_.size() >= write_chunk) flush_file();
  }
}

void upload_to_directory::on_end() {
  if (part_kind_ == part_file && flush_file()) {
    const int fd = file_fd_;
    file_fd_ = -1;
    if (::close(fd) != 0) fail(errno_info(errno, "close " + files_.back().path));
  }
  part_kind_ = part_ignored;
}

bool upload_to_directory::flush_file() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(file_fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail(errno_info(n < 0 ? errno : EIO, "write " + files_.back().path));
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
  return true;
}

void upload_to_directory::close_file() {
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
  buffer_.clear();
}

void upload_to_directory::fail(error_info e) {
  if (failed_) return;
  failed_ = true;
  error_ = std::move(e);
  parser_.cancel(error_);
  close_file();
  remove_files();
}

void upload_to_directory::remove_files() {
  for (const uploaded_file& f : files_) {
    const std::string name(base_name(f.path));
    ::unlinkat(dir_fd_, name.c_str(), 0);
  }
  files_.clear();
}

}  // namespace lwspp::http
