// The access log in the combined format of Apache and nginx:
//   127.0.0.1 - user [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 13 "ref" "agent"
// One write(2) per line on an O_APPEND file, so lines from several loops
// never interleave.
#pragma once
#include <cstdint>
#include <string>

#include "lwspp/http.hpp"
#include "lwspp/result.hpp"

namespace lwspp::http {

class access_log {
 public:
  // path: a file (created, appended to) or "-" for stderr.
  static result<std::unique_ptr<access_log>> open(const std::string& path);
  ~access_log();

  void write(const request& req, int status, std::uint64_t body_bytes) const;

  // The formatted line, for tests.
  static std::string format(const request& req, int status, std::uint64_t body_bytes,
                            std::int64_t unix_time);

 private:
  explicit access_log(int fd, bool owned) : fd_(fd), owned_(owned) {}
  int fd_;
  bool owned_;
};

}  // namespace lwspp::http
