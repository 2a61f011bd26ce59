// make_self_signed: a development certificate written to two PEM files.
//
// Each file is written to a temporary file in the same directory and renamed
// over the target, so a server (re)loading it never reads half a file; the
// key file is created 0600 and never has wider rights, even for a moment.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lwspp/tls.hpp"
#include "tls/cert_maker.hpp"
#include "tls/names.hpp"

namespace lwspp::tls {
namespace {

error_info io_failed(const std::string& path, int err) {
  return error_info(std::error_code(err, std::system_category()), path);
}

result<void> write_atomically(const std::string& path, const std::string& data, mode_t mode) {
  std::string tmp = path + ".XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return io_failed(path, errno);
  std::size_t done = 0;
  int err = ::fchmod(fd, mode) == 0 ? 0 : errno;
  while (err == 0 && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return io_failed(path, err);
  }
  return {};
}

}  // namespace

result<void> make_self_signed(const std::string& cert_path, const std::string& key_path,
                              const self_signed_options& options) {
  if (options.names.empty()) {
    return error_info(make_error_code(tls_error::invalid_option), "no name for the certificate");
  }
  for (const std::string& n : options.names) {
    if (!is_ip_literal(n) && normalize_host(n).empty()) {
      return error_info(make_error_code(tls_error::invalid_option),
                        "not a DNS name or IP address: \"" + n + "\"");
    }
  }
  cert_spec spec;
  spec.common_name = options.names.front();
  spec.alt_names = options.names;
  spec.key = key_kind::ec_p256;
  spec.not_after = options.validity;
  auto made = make_certificate(spec);
  if (!made) return made.error();
  struct wipe {
    std::string& s;
    ~wipe() { std::fill(s.begin(), s.end(), '\0'); }
  } wipe_key{made->key_pem};
  if (auto r = write_atomically(key_path, made->key_pem, 0600); !r) return r;
  return write_atomically(cert_path, made->cert_pem, 0644);
}

}  // namespace lwspp::tls
