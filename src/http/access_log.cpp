// Combined-format access log.
#include "http/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace lwspp::http {

namespace {

// Quoted fields carry what the client sent: escape what could forge a line
// or a field (quotes, backslashes, control bytes), as nginx does with \xNN.
void append_escaped(std::string& out, std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
}

void append_or_dash(std::string& out, std::string_view s) {
  if (s.empty())
    out += '-';
  else
    append_escaped(out, s);
}

}  // namespace

result<std::unique_ptr<access_log>> access_log::open(const std::string& path) {
  if (path == "-") return std::unique_ptr<access_log>(new access_log(2, false));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return error_info(error::invalid_argument,
                      "cannot open access log " + path + ": " + std::strerror(errno));
  return std::unique_ptr<access_log>(new access_log(fd, true));
}

access_log::~access_log() {
  if (owned_) ::close(fd_);
}

std::string access_log::format(const request& req, int status, std::uint64_t body_bytes,
                               std::int64_t unix_time) {
  std::string line;
  line.reserve(160);
  const address peer = req.peer();
  line += peer.is_ip() ? peer.ip() : std::string("unix");
  line += " - ";
  append_or_dash(line, req.user());
  char when[40];
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(unix_time);
  ::gmtime_r(&t, &tm);
  std::strftime(when, sizeof when, " [%d/%b/%Y:%H:%M:%S +0000] \"", &tm);
  line += when;
  append_escaped(line, req.method_name());
  line += ' ';
  append_escaped(line, req.target());
  line += req.version() == 10   ? " HTTP/1.0\" "
          : req.version() == 20 ? " HTTP/2.0\" "
                                : " HTTP/1.1\" ";
  line += std::to_string(status);
  line += ' ';
  line += std::to_string(body_bytes);
  line += " \"";
  append_or_dash(line, req.header("referer"));
  line += "\" \"";
  append_or_dash(line, req.header("user-agent"));
  line += "\"\n";
  return line;
}

void access_log::write(const request& req, int status, std::uint64_t body_bytes) const {
  const std::string line = format(req, status, body_bytes, std::time(nullptr));
  // Best effort: a full disk must not stop serving.
  const ssize_t n = ::write(fd_, line.data(), line.size());
  (void)n;
}

}  // namespace lwspp::http
